import { Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { AuthenticatedRequest } from '@revline/auth';
import { actorOf, MAKER_CHECKER_PROBLEM, principalOf, Roles } from '@revline/auth';
import { ApiAuthProblems, ApiProblem, problemExample } from '@revline/http';
import { CanonicalBodyPipe } from '../revenue/canonical-body.pipe';
import { IntParam } from '../shared/path-params';
import { ApproveMappingVersion, RejectMappingVersion } from './decide-mapping.usecase';
import { DEFAULT_MAPPING } from './default-mapping';
import { MappingQueries } from './mapping-queries';
import type { Approval, Decision, ProposeMapping } from './mapping-requests';
import { ApproveSchema, DecisionSchema, ProposeMappingSchema } from './mapping-requests';
import { MappingVersionDto, MappingVersionSummaryDto } from './mapping-version.dto';
import { ProposeMappingVersion } from './propose-mapping.usecase';

const VERSIONS = '/v1/mappings/versions';
const VERSION_PARAM = { name: 'version', type: Number, example: 2, description: 'Mapping version number' };

const NOT_FOUND = ApiProblem(
  404,
  'No such mapping version',
  problemExample(404, 'Mapping version 7 does not exist', `${VERSIONS}/7`),
);
const NOT_PROPOSED = problemExample(
  409,
  'Mapping version 2 is active, not proposed: only a proposal can be approved or rejected',
  `${VERSIONS}/2/approve`,
);

@ApiTags('mappings')
@Roles('integration.admin')
@Controller('v1/mappings')
export class MappingsController {
  constructor(
    private readonly queries: MappingQueries,
    private readonly propose: ProposeMappingVersion,
    private readonly approve: ApproveMappingVersion,
    private readonly reject: RejectMappingVersion,
  ) {}

  @Get('active')
  @ApiOperation({
    summary: 'The active mapping version',
    description:
      'The field mappings (Salesforce field path → canonical field), product catalogue (product code → billing price → ERP item → revenue treatment, SSP, performance obligation, product class) and systems of record that normalisation uses now.',
  })
  @ApiOkResponse({ type: MappingVersionDto })
  @ApiAuthProblems('integration.admin', '/v1/mappings/active')
  getActiveMappingVersion(): Promise<MappingVersionDto> {
    return this.queries.active();
  }

  @Get('versions')
  @ApiOperation({
    summary: 'Every mapping version, newest first: proposals, the active one, superseded and rejected ones',
  })
  @ApiOkResponse({ type: MappingVersionSummaryDto, isArray: true })
  @ApiAuthProblems('integration.admin', VERSIONS)
  listMappingVersions(): Promise<MappingVersionSummaryDto[]> {
    return this.queries.history();
  }

  @Get('versions/:version')
  @ApiOperation({ summary: 'One mapping version with its whole definition' })
  @ApiParam(VERSION_PARAM)
  @ApiOkResponse({ type: MappingVersionDto })
  @ApiAuthProblems('integration.admin', `${VERSIONS}/2`)
  @NOT_FOUND
  getMappingVersion(@Param('version', IntParam) version: number): Promise<MappingVersionDto> {
    return this.queries.one(version);
  }

  @Post('versions')
  @ApiOperation({
    summary: 'Propose a new mapping version',
    description:
      'The whole definition, checked before it is stored: field paths, required canonical fields mapped, line fields read from OrderItems[], each product once. `baseVersion` names the version the definition was built on, which must be the active one: a proposal built on a version another admin has since replaced answers 409 with `activeVersion`, so no approved change is silently dropped (read the active version, apply the change to it, propose again). The proposal does nothing until another integration admin approves it. Audited with the active definition as `before`.',
  })
  @ApiBody({
    description: 'A summary of the change and the complete definition',
    examples: {
      defaults: {
        summary: 'The seed definition',
        value: { summary: 'Add a product', baseVersion: 1, definition: DEFAULT_MAPPING },
      },
    },
  })
  @ApiCreatedResponse({ type: MappingVersionDto, description: 'The proposal (status proposed)' })
  @ApiProblem(
    409,
    'The base version is no longer the active one; `activeVersion` says which is',
    problemExample(
      409,
      'The proposal is built on mapping version 1, but version 2 is active now: read the active version, apply your change to it and propose again with baseVersion 2',
      VERSIONS,
      {
        errors: [{ field: 'baseVersion', problem: 'must be the active version (2)' }],
        baseVersion: 1,
        activeVersion: 2,
      },
    ),
  )
  @ApiProblem(
    400,
    'The definition is invalid; `errors` names each field',
    problemExample(
      400,
      'Invalid request: definition.fieldMappings: lines[].productCode must be mapped',
      VERSIONS,
      {
        errors: [{ field: 'definition.fieldMappings', problem: 'lines[].productCode must be mapped' }],
      },
    ),
  )
  @ApiAuthProblems('integration.admin', VERSIONS)
  proposeMappingVersion(
    @Body({ schema: ProposeMappingSchema, pipes: [CanonicalBodyPipe] }) body: ProposeMapping,
    @Req() request: AuthenticatedRequest,
  ): Promise<MappingVersionDto> {
    return this.propose.execute(body, actorOf(request), principalOf(request));
  }

  @Post('versions/:version/approve')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Approve a proposal: it becomes the active version',
    description:
      "Maker-checker between people: an approver whose key has the proposer's owner, or was minted (through any chain of keys) by the proposer's owner or minted theirs, is refused (403, problem type maker-checker). The previous active version is superseded in the same transaction. A proposal whose base version is no longer active (another was approved since it was proposed) is refused with 409, naming `baseVersion` and `activeVersion`, and stays proposed until someone rejects it: propose the change again on the active version. Audited.",
  })
  @ApiParam(VERSION_PARAM)
  @ApiBody({
    description: 'An optional note',
    examples: { note: { summary: 'With a note', value: { reason: 'Checked against the price book' } } },
  })
  @ApiOkResponse({ type: MappingVersionDto, description: 'The version, now active' })
  @ApiProblem(
    403,
    'The approver is the proposer, by owner or by minting (maker-checker), or the key lacks integration.admin',
    problemExample(
      403,
      "Mapping version 2 was made by person:alice, and this key is person:alice's or was minted from theirs: another person must check it (maker-checker)",
      `${VERSIONS}/2/approve`,
      { type: MAKER_CHECKER_PROBLEM },
    ),
  )
  @ApiProblem(
    409,
    'The version is not a proposal, or the active version changed since it was proposed',
    NOT_PROPOSED,
  )
  @ApiAuthProblems('integration.admin', `${VERSIONS}/2/approve`)
  @NOT_FOUND
  approveMappingVersion(
    @Param('version', IntParam) version: number,
    @Body({ schema: ApproveSchema, pipes: [CanonicalBodyPipe] }) body: Approval,
    @Req() request: AuthenticatedRequest,
  ): Promise<MappingVersionDto> {
    return this.approve.execute(version, principalOf(request), actorOf(request), body?.reason);
  }

  @Post('versions/:version/reject')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Reject a proposal, with a reason (the proposer may withdraw their own). Audited.',
  })
  @ApiParam(VERSION_PARAM)
  @ApiBody({
    description: 'Why',
    examples: { reason: { summary: 'Why', value: { reason: 'The ERP item id is wrong' } } },
  })
  @ApiOkResponse({ type: MappingVersionDto, description: 'The version, now rejected' })
  @ApiProblem(
    400,
    'No reason given',
    problemExample(400, 'Invalid request: reason: Invalid input', `${VERSIONS}/2/reject`),
  )
  @ApiProblem(409, 'The version is not a proposal', NOT_PROPOSED)
  @ApiAuthProblems('integration.admin', `${VERSIONS}/2/reject`)
  @NOT_FOUND
  rejectMappingVersion(
    @Param('version', IntParam) version: number,
    @Body({ schema: DecisionSchema, pipes: [CanonicalBodyPipe] }) body: Decision,
    @Req() request: AuthenticatedRequest,
  ): Promise<MappingVersionDto> {
    return this.reject.execute(version, actorOf(request), body.reason);
  }
}
