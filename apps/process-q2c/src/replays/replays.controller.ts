import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthenticatedRequest } from '@revline/auth';
import { actorOf, Roles } from '@revline/auth';
import { ApiAuthProblems, ApiProblem, problemExample } from '@revline/http';
import { ReplayRequestDto, ReplayResultDto } from './replay.dto';
import { RunReplay } from './run-replay.usecase';

@ApiTags('replays')
@Roles('integration.admin')
@Controller('v1/replays')
export class ReplaysController {
  constructor(private readonly replay: RunReplay) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Replay a contract or a time window through the ERP side of the chain',
    description:
      'With `dryRun` (the default), lists per ERP command what the saga would post now beside what it posted, and the difference. Without it, sends every command of the completed sagas again under its deterministic ERP external id: what is missing in the ERP is restored, nothing is posted twice. Audited.',
  })
  @ApiOkResponse({ type: ReplayResultDto })
  @ApiProblem(
    400,
    'Neither or both of contractId and from/to, a bad date, or an empty window',
    problemExample(400, 'Give either contractId or from and to, not both', '/v1/replays', {
      errors: [{ field: 'contractId', problem: 'must not be given with from/to' }],
    }),
  )
  @ApiProblem(404, 'Unknown contract', problemExample(404, 'Contract 801… has no sagas', '/v1/replays'))
  @ApiAuthProblems('integration.admin', '/v1/replays')
  replayContracts(
    @Body() body: ReplayRequestDto,
    @Req() request: AuthenticatedRequest,
  ): Promise<ReplayResultDto> {
    return this.replay.execute(body, actorOf(request));
  }
}
