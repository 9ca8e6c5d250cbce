import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Roles } from '@revline/auth';
import { ApiAuthProblems, ApiProblem, problemExample } from '@revline/http';
import { ContractLineage } from './contract-lineage.query';
import { ContractLineageDto } from '@revline/finance-api';

@ApiTags('lineage')
@Roles('finance.viewer')
@Controller('v1/contracts')
export class LineageController {
  constructor(private readonly lineage: ContractLineage) {}

  @Get(':contractId/lineage')
  @ApiOperation({
    summary: 'Where every change of a contract is: its hops through Salesforce, Revline, billing and the ERP',
    description:
      'One entry per contract change (correlation id), with each hop (system, object type, id there, status, when, causation) in order and the latest status, so one call answers whether an amendment has completed its whole life and, if not, where it is.',
  })
  @ApiParam({ name: 'contractId', example: '801Dn00000Booking1' })
  @ApiOkResponse({ type: ContractLineageDto })
  @ApiProblem(
    404,
    'Nothing is recorded for that contract',
    problemExample(404, 'No lineage is recorded for contract 801XX', '/v1/contracts/801XX/lineage'),
  )
  @ApiAuthProblems('finance.viewer', '/v1/contracts/801Dn00000Booking1/lineage')
  getContractLineage(@Param('contractId') contractId: string): Promise<ContractLineageDto> {
    return this.lineage.execute(contractId);
  }
}
