import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Roles } from '@revline/auth';
import { ApiAuthProblems, ApiProblem, problemExample } from '@revline/http';
import { ContractLifecycleDto, ContractPageDto, RevenueScheduleVersionDto } from '@revline/finance-api';
import { ListContractsQuery } from './contract.dto';
import { ContractLifecycle } from './contract-lifecycle.query';
import { ListContracts } from './list-contracts.query';
import { RevenueScheduleVersions } from './revenue-schedule-versions.query';

@ApiTags('contracts')
@Roles('finance.viewer')
@Controller('v1/contracts')
export class ContractsController {
  constructor(
    private readonly list: ListContracts,
    private readonly lifecycle: ContractLifecycle,
    private readonly schedules: RevenueScheduleVersions,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'Contracts Revline has booked, with their lifecycle status across Salesforce, billing and the ERP',
    description:
      'Ordered by contract id and paged with `limit` and `cursor` (pass `nextCursor` back; null on the last page). Contracts Revline has not booked are listed too (`contractStatus` `not_booked`): a booking it refused, or the Salesforce contract amendments wait for. `status` filters on the lifecycle status: `failed` when Salesforce, billing or the ERP refused an unfinished change, `parked` when a change waits for an operator (a parked saga, or a change refused as it was captured: an open exception) or an amendment for its booking, `in_flight` when one is on its way, `in_sync` when every change completed in all three systems.',
  })
  @ApiOkResponse({ type: ContractPageDto })
  @ApiProblem(
    400,
    'A filter is invalid',
    problemExample(
      400,
      'status must be one of the following values: in_sync, in_flight, parked, failed',
      '/v1/contracts',
      {
        errors: [
          {
            field: 'status',
            problem: 'status must be one of the following values: in_sync, in_flight, parked, failed',
          },
        ],
      },
    ),
  )
  @ApiAuthProblems('finance.viewer', '/v1/contracts')
  listContracts(@Query() query: ListContractsQuery): Promise<ContractPageDto> {
    return this.list.execute(query);
  }

  @Get(':contractId/lifecycle')
  @ApiOperation({
    summary: 'Each change of a contract with its status in Salesforce, billing and the ERP',
    description:
      'One entry per contract change (booking, expansion, reduction…), oldest first: the saga status and step, and per system whether it is not started, in progress, done or failed, with the commands sent and confirmed and the latest hop. Changes that started no saga follow, parked: refused as captured (step `normalise`) or an amendment waiting for its booking (step `await_booking`), with the reason in `lastError`. A contract not booked yet answers with those changes only.',
  })
  @ApiParam({ name: 'contractId', example: '801Dn00000Booking1' })
  @ApiOkResponse({ type: ContractLifecycleDto })
  @ApiProblem(
    404,
    'Revline has no such contract',
    problemExample(404, 'Contract 801XX is not known to Revline', '/v1/contracts/801XX/lifecycle'),
  )
  @ApiAuthProblems('finance.viewer', '/v1/contracts/801Dn00000Booking1/lifecycle')
  getContractLifecycle(@Param('contractId') contractId: string): Promise<ContractLifecycleDto> {
    return this.lifecycle.execute(contractId);
  }

  @Get(':contractId/revenue-schedules')
  @ApiOperation({
    summary: "A contract's revenue schedule versions: the booking's and one per amendment",
    description:
      "Version 1 is the booking; each amendment that changed the schedule makes the next, with its modification treatment. Each version lists the revenue of every obligation per period (the tenant's fiscal calendar) in minor units with the currency and a display string, and its total, computed by the revenue engine from the stored canonical events as the sagas did. Oldest first.",
  })
  @ApiParam({ name: 'contractId', example: '801Dn00000Booking1' })
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
  @ApiAuthProblems('finance.viewer', '/v1/contracts/801Dn00000Booking1/revenue-schedules')
  getRevenueSchedules(@Param('contractId') contractId: string): Promise<RevenueScheduleVersionDto[]> {
    return this.schedules.execute(contractId);
  }
}
