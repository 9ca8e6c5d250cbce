import { Module } from '@nestjs/common';
import { LineageModule } from '../lineage/lineage.module';
import { SagasModule } from '../sagas/sagas.module';
import { ReplayPlanner } from './replay-planner';
import { ReplaysController } from './replays.controller';
import { RunReplay } from './run-replay.usecase';

/** POST /v1/replays: dry runs and replays of contracts or windows, never double-posting. */
@Module({
  imports: [LineageModule, SagasModule],
  controllers: [ReplaysController],
  providers: [ReplayPlanner, RunReplay],
})
export class ReplaysModule {}
