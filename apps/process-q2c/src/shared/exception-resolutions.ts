import type { EntityManager } from 'typeorm';

/**
 * Closing the workbench exceptions that the flow itself settled (a retry went through, a later run superseded a
 * refusal). The exceptions module owns the exceptions table and provides this to every folder of the app; the
 * folders below it in the layers ask through this port instead of writing the table.
 */
export abstract class ExceptionResolutions {
  /** A saga's confirmation timeouts: the saga moved on after the retry. */
  abstract sagaMovedOn(manager: EntityManager, sagaId: string): Promise<void>;

  /** The refusals (in `categories`) of the command first sent under `baseKey`: a retry of it was confirmed. */
  abstract commandConfirmed(
    manager: EntityManager,
    baseKey: string,
    categories: readonly string[],
  ): Promise<void>;

  /** The open exceptions of `job` under any of `idempotencyKeys`, closed with `resolution`. */
  abstract jobSettled(
    manager: EntityManager,
    job: string,
    idempotencyKeys: readonly string[],
    resolution: string,
  ): Promise<void>;
}
