import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query, Req } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { AuthenticatedRequest } from '@revline/auth';
import { MAKER_CHECKER_PROBLEM, principalOf, Roles } from '@revline/auth';
import { ApiProblem, problemExample } from '@revline/http';
import { ProcessQ2cClient } from '../process-q2c/process-q2c.client';
import { ApiBadRequest, ApiCommonProblems } from '../shared/problem-docs';
import type { DiffableDefinition } from './mapping-diff';
import { diffMappings } from './mapping-diff';
import {
  MappingDiffDto,
  MappingDiffQuery,
  MappingVersionDto,
  MappingVersionSummaryDto,
} from './mappings.dto';

const VERSIONS = '/v1/mappings/versions';
const VERSION_PARAM = { name: 'version', type: Number, example: 2, description: 'Mapping version number' };
const versionPath = (version: number): string => `${VERSIONS}/${String(version)}`;

const NOT_FOUND = ApiProblem(
  404,
  'No such mapping version',
  problemExample(404, 'Mapping version 7 does not exist', `${VERSIONS}/7`),
);
const MAKER_CHECKER = ApiProblem(
  403,
  'The approver is the proposer (by owner or by minting), or the key lacks integration.admin',
  problemExample(
    403,
    "Mapping version 2 was made by person:alice, and this key is person:alice's or was minted from theirs: another person must check it (maker-checker)",
    `${VERSIONS}/2/approve`,
    { type: MAKER_CHECKER_PROBLEM },
  ),
);
const NOT_PROPOSED = ApiProblem(
  409,
  'The version is not a proposal, or the active version changed since it was proposed',
  problemExample(
    409,
    'Mapping version 2 is active, not proposed: only a proposal can be approved or rejected',
    `${VERSIONS}/2/approve`,
  ),
);

/**
 * The mapping versions through the experience API, for the console: process-q2c's /v1/mappings routes, each call made
 * for the signed-in person (x-revline-acting-key), so process-q2c authorises, audits and applies maker-checker to
 * the person's key, never to the experience API's service key.
 */
@ApiTags('mappings')
@Roles('integration.admin')
@Controller('v1')
export class MappingsController {
  constructor(private readonly q2c: ProcessQ2cClient) {}

  @Get('mappings/versions')
  @ApiOperation({
    summary: 'Every mapping version, newest first: proposals, the active one, superseded and rejected ones',
    description: 'Role integration.admin.',
  })
  @ApiOkResponse({ type: MappingVersionSummaryDto, isArray: true })
  @ApiCommonProblems('integration.admin', VERSIONS)
  listMappingVersions(@Req() request: AuthenticatedRequest): Promise<MappingVersionSummaryDto[]> {
    return this.q2c.get(VERSIONS, {}, acting(request));
  }

  @Get('mappings/diff')
  @ApiOperation({
    summary: 'What changed between two mapping versions, entry by entry',
    description:
      'Field mappings compared by canonical target, catalogue entries by product code, systems of record by domain: the entries `to` added, removed and changed against `from`, each with both sides and the fields that differ. Computed by Revline from the two definitions, not a text diff. Role integration.admin.',
  })
  @ApiOkResponse({ type: MappingDiffDto })
  @ApiBadRequest('from must not be less than 1', 'from', '/v1/mappings/diff')
  @NOT_FOUND
  @ApiCommonProblems('integration.admin', '/v1/mappings/diff')
  async diffMappingVersions(
    @Query() query: MappingDiffQuery,
    @Req() request: AuthenticatedRequest,
  ): Promise<MappingDiffDto> {
    const [from, to] = await Promise.all(
      [query.from, query.to].map((version) =>
        this.q2c.get<{ version: number; definition: DiffableDefinition }>(
          versionPath(version),
          {},
          acting(request),
        ),
      ),
    );
    return diffMappings(from, to);
  }

  @Get('mappings/versions/:version')
  @ApiOperation({
    summary: 'One mapping version with its whole definition',
    description: 'Role integration.admin.',
  })
  @ApiParam(VERSION_PARAM)
  @ApiOkResponse({ type: MappingVersionDto })
  @NOT_FOUND
  @ApiCommonProblems('integration.admin', `${VERSIONS}/2`)
  getMappingVersion(
    @Param('version', ParseIntPipe) version: number,
    @Req() request: AuthenticatedRequest,
  ): Promise<MappingVersionDto> {
    return this.q2c.get(versionPath(version), {}, acting(request));
  }

  @Post('mappings/versions')
  @ApiOperation({
    summary: 'Propose a new mapping version, as the signed-in person',
    description:
      "`{ summary, baseVersion, definition }`, checked by process-q2c as for its own route: `baseVersion` must be the active version (409 with `activeVersion` otherwise), the definition valid (400 naming each field). The proposer is the caller's key (its owner), recorded and audited as such with the experience API as the carrier; another person must approve. Role integration.admin.",
  })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['summary', 'baseVersion', 'definition'],
      properties: {
        summary: { type: 'string', example: 'Add the premium analytics product' },
        baseVersion: { type: 'integer', example: 1 },
        definition: { type: 'object', additionalProperties: true },
      },
    },
  })
  @ApiCreatedResponse({ type: MappingVersionDto, description: 'The proposal (status proposed)' })
  @ApiProblem(
    409,
    'The base version is no longer the active one',
    problemExample(
      409,
      'The proposal is built on mapping version 1, but version 2 is active now: read the active version, apply your change to it and propose again with baseVersion 2',
      VERSIONS,
    ),
  )
  @ApiBadRequest(
    'Invalid request: definition.fieldMappings: lines[].productCode must be mapped',
    'definition.fieldMappings',
    VERSIONS,
  )
  @ApiCommonProblems('integration.admin', VERSIONS)
  proposeMappingVersion(
    @Body() body: Record<string, unknown>,
    @Req() request: AuthenticatedRequest,
  ): Promise<MappingVersionDto> {
    return this.q2c.post(VERSIONS, body, acting(request));
  }

  @Post('mappings/versions/:version/approve')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Approve a proposal as the signed-in person: it becomes the active version',
    description:
      "Maker-checker between people: the approver's key (not the experience API's) is compared with the proposer's; the same person, by owner or by minting, is refused with 403 (problem type maker-checker). Optional body `{ reason }`. Role integration.admin.",
  })
  @ApiParam(VERSION_PARAM)
  @ApiBody({
    required: false,
    schema: {
      type: 'object',
      properties: { reason: { type: 'string', example: 'Checked against the price book' } },
    },
  })
  @ApiOkResponse({ type: MappingVersionDto, description: 'The version, now active' })
  @MAKER_CHECKER
  @NOT_PROPOSED
  @NOT_FOUND
  @ApiCommonProblems('integration.admin', `${VERSIONS}/2/approve`)
  approveMappingVersion(
    @Param('version', ParseIntPipe) version: number,
    @Body() body: Record<string, unknown> | undefined,
    @Req() request: AuthenticatedRequest,
  ): Promise<MappingVersionDto> {
    return this.q2c.post(`${versionPath(version)}/approve`, body ?? {}, acting(request));
  }

  @Post('mappings/versions/:version/reject')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Reject a proposal with a reason, as the signed-in person (the proposer may withdraw their own)',
    description: 'Body `{ reason }` (3 to 1000 characters). Role integration.admin.',
  })
  @ApiParam(VERSION_PARAM)
  @ApiBody({
    schema: {
      type: 'object',
      required: ['reason'],
      properties: { reason: { type: 'string', example: 'The ERP item id is wrong' } },
    },
  })
  @ApiOkResponse({ type: MappingVersionDto, description: 'The version, now rejected' })
  @NOT_PROPOSED
  @NOT_FOUND
  @ApiCommonProblems('integration.admin', `${VERSIONS}/2/reject`)
  rejectMappingVersion(
    @Param('version', ParseIntPipe) version: number,
    @Body() body: Record<string, unknown>,
    @Req() request: AuthenticatedRequest,
  ): Promise<MappingVersionDto> {
    return this.q2c.post(`${versionPath(version)}/reject`, body, acting(request));
  }

  @Post('orders/validate')
  @HttpCode(200)
  @Roles('finance.viewer')
  @ApiTags('orders')
  @ApiOperation({
    summary: 'Would this Salesforce order pass? Checked against the active mapping version, or a chosen one',
    description:
      "The order record as Salesforce holds it (Order fields, `Account`, `OrderItems` with `Product2`), read through the active mapping version, or the one `mappingVersion` chooses (proposed, active or superseded: preview an order against a proposal before approving it; the answer's `mappingVersion` says which was used; 404 for an unknown version, 409 for a rejected one), and checked as normalisation would; nothing is stored. Answers `{ valid, mappingVersion, orderType, contractId, problems: [{ category, field, reason }] }`. process-q2c's POST /v1/orders/validate. Role finance.viewer.",
  })
  @ApiBody({ schema: { type: 'object', additionalProperties: true } })
  @ApiQuery({
    name: 'mappingVersion',
    required: false,
    type: Number,
    example: 2,
    description: 'The mapping version to check against (default: the active one)',
  })
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: {
        valid: { type: 'boolean' },
        mappingVersion: { type: 'integer' },
        orderType: { type: 'string', nullable: true },
        contractId: { type: 'string', nullable: true },
        problems: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              category: { type: 'string' },
              field: { type: 'string' },
              reason: { type: 'string' },
            },
          },
        },
      },
    },
  })
  @ApiProblem(
    404,
    'No such mapping version',
    problemExample(404, 'Mapping version 7 does not exist', '/v1/orders/validate?mappingVersion=7'),
  )
  @ApiProblem(
    409,
    'The chosen mapping version was rejected',
    problemExample(
      409,
      'Mapping version 3 was rejected: preview against a proposed, active or superseded version',
      '/v1/orders/validate?mappingVersion=3',
    ),
  )
  @ApiCommonProblems('finance.viewer', '/v1/orders/validate')
  validateOrder(
    @Body() body: Record<string, unknown>,
    @Req() request: AuthenticatedRequest,
    @Query('mappingVersion', new ParseIntPipe({ optional: true })) mappingVersion?: number,
  ): Promise<unknown> {
    return this.q2c.post('/v1/orders/validate', body, acting(request), { mappingVersion });
  }
}

/** The call is made for the signed-in person's key. */
function acting(request: AuthenticatedRequest): { actingKeyId: string } {
  return { actingKeyId: principalOf(request).keyId };
}
