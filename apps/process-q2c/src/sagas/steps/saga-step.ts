import type { EntityManager } from 'typeorm';
import type { SagaContext } from '../erp-plan';
import type { SagaEntity } from '../saga.entity';

/** The saga's context, read when a step first asks for it (then kept for the advance). */
export type LazySagaContext = () => Promise<SagaContext>;

/**
 * One step of a saga, run by the engine on the saga it locked, in its transaction: sends the step's commands, or
 * takes in what the step waits for. Answers false when the step must wait for something that has not arrived.
 */
export abstract class SagaStepHandler {
  abstract run(manager: EntityManager, saga: SagaEntity, context: LazySagaContext): Promise<boolean>;
}
