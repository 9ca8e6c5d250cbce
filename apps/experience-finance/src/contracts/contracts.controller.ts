import { Controller, Get, Param, Query, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Roles } from '@revline/auth';
import { ApiProblem, problemExample } from '@revline/http';
import { ProcessQ2cClient, toQuery } from '../process-q2c/process-q2c.client';
import { ApiBadRequest, ApiCommonProblems } from '../shared/problem-docs';
import type { ContractLineageDto } from '@revline/finance-api';
import { ContractLifecycleDto, ContractPageDto, RevenueScheduleVersionDto } from '@revline/finance-api';
import { ConsoleConfig } from '../console/console.config';
import { LinkedContractLineageDto, ListContractsQuery } from './contract.dto';
import { vendorUrl } from './vendor-links';

const CONTRACT_ID = {
  name: 'contractId',
  example: '801Dn00000Booking1',
  description: 'Revline contract id (the Salesforce id of the booking order)',
};

@ApiTags('contracts')
@Roles('finance.viewer')
@Controller('v1/contracts')
export class ContractsController {
  constructor(
    private readonly q2c: ProcessQ2cClient,
    private readonly console: ConsoleConfig,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Contracts with their lifecycle status across Salesforce, billing and the ERP',
    description:
      'Every contract Revline has booked, and every one it has not booked yet (`contractStatus` `not_booked`: its booking refused, or amendments waiting for it), by contract id, paged with `limit` (default 50) and `cursor` (pass `nextCursor` back; null on the last page). `lifecycleStatus` is `failed` when Salesforce, billing or the ERP refused an unfinished change, `parked` when a change waits for an operator (see /v1/exceptions; a change refused as it was captured included) or an amendment for its booking, `in_flight` when a change is still on its way, `in_sync` when every change completed in all three systems. Filter by that status, by customer (Salesforce account id) and by `updatedSince`. Role finance.viewer.',
  })
  @ApiOkResponse({ type: ContractPageDto })
  @ApiBadRequest(
    'status must be one of the following values: in_sync, in_flight, parked, failed',
    'status',
    '/v1/contracts',
  )
  @ApiCommonProblems('finance.viewer', '/v1/contracts')
  listContracts(@Query() query: ListContractsQuery): Promise<StreamableFile> {
    return this.q2c.relay('/v1/contracts', toQuery(query));
  }

  @Get(':contractId/lifecycle')
  @ApiOperation({
    summary: 'Each change of a contract with its status in Salesforce, billing and the ERP',
    description:
      'One entry per change (booking, expansion, reduction, cancellation, renewal…), oldest first, with the saga status and step and, per system, `not_started`, `in_progress`, `done` or `failed` with the commands sent and confirmed and the latest hop. Answers "has this amendment completed its whole life, and if not, where is it?". A change refused as Revline captured it (status `parked`, step `normalise`) and an amendment waiting for its booking (status `parked`, step `await_booking`) are listed after the sagas with the reason in `lastError`; a contract not booked yet has a lifecycle of those changes. Role finance.viewer.',
  })
  @ApiParam(CONTRACT_ID)
  @ApiOkResponse({ type: ContractLifecycleDto })
  @ApiProblem(
    404,
    'Revline has no such contract',
    problemExample(404, 'Contract 801XX is not known to Revline', '/v1/contracts/801XX/lifecycle'),
  )
  @ApiCommonProblems('finance.viewer', '/v1/contracts/801Dn00000Booking1/lifecycle')
  getContractLifecycle(@Param('contractId') contractId: string): Promise<ContractLifecycleDto> {
    return this.q2c.get(`/v1/contracts/${encodeURIComponent(contractId)}/lifecycle`);
  }

  @Get(':contractId/lineage')
  @ApiOperation({
    summary: 'The lineage of a contract as a timeline: every hop of every change',
    description:
      "One entry per change (correlation id), oldest first, each with its hops in order — system (salesforce, revline, billing, erp), object type, id there, status, when it happened and what caused it — and the latest status. Each hop carries `vendorUrl`, the record's page in its vendor's own UI when that vendor's base URL is configured (SALESFORCE_UI_BASE_URL, STRIPE_DASHBOARD_URL, NETSUITE_UI_BASE_URL), else null. Role finance.viewer.",
  })
  @ApiParam(CONTRACT_ID)
  @ApiOkResponse({ type: LinkedContractLineageDto })
  @ApiProblem(
    404,
    'Nothing is recorded for that contract',
    problemExample(404, 'No lineage is recorded for contract 801XX', '/v1/contracts/801XX/lineage'),
  )
  @ApiCommonProblems('finance.viewer', '/v1/contracts/801Dn00000Booking1/lineage')
  async getContractLineage(@Param('contractId') contractId: string): Promise<LinkedContractLineageDto> {
    const lineage = await this.q2c.get<ContractLineageDto>(
      `/v1/contracts/${encodeURIComponent(contractId)}/lineage`,
    );
    // Plain JSON from process-q2c: each hop gains its vendor link.
    return {
      contractId: lineage.contractId,
      changes: lineage.changes.map((change) => ({
        correlationId: change.correlationId,
        lastStatus: change.lastStatus,
        lastSystem: change.lastSystem,
        hops: change.hops.map((hop) => Object.assign(hop, { vendorUrl: vendorUrl(hop, this.console) })),
      })),
    };
  }

  @Get(':contractId/revenue-schedules')
  @ApiOperation({
    summary: "The contract's revenue schedule versions: the booking's and one per amendment",
    description:
      "Oldest first: `version`, `cause` (booking or amendment) and its `treatment`, the canonical event behind it and when Revline stored it (`createdAt`), the `total` and the `lines`, each obligation's revenue per period as money (minor units, currency, display). Role finance.viewer.",
  })
  @ApiParam(CONTRACT_ID)
  @ApiOkResponse({ type: RevenueScheduleVersionDto, isArray: true })
  @ApiProblem(
    404,
    'Revline stored no booking for that contract',
    problemExample(
      404,
      'Contract 801XX has no stored booking: it has no revenue schedule',
      '/v1/contracts/801XX/revenue-schedules',
    ),
  )
  @ApiCommonProblems('finance.viewer', '/v1/contracts/801Dn00000Booking1/revenue-schedules')
  getRevenueSchedules(@Param('contractId') contractId: string): Promise<RevenueScheduleVersionDto[]> {
    return this.q2c.get(`/v1/contracts/${encodeURIComponent(contractId)}/revenue-schedules`);
  }
}
