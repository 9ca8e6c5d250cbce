import type { ContractBooked } from '@revline/canonical';
import { validate } from '@revline/canonical';
import type { z } from 'zod';
import type { OrderProblem } from './problems';
import { OrderRejected, problem } from './problems';

/** The envelope, source and references every canonical event carries. */
export interface EventMeta {
  readonly messageId: string;
  readonly correlationId: string;
  readonly causationId: string | null;
  /** The business key of the change: one event per key, ever. */
  readonly idempotencyKey: string;
  readonly occurredAt: string;
  readonly tenantId: string;
  readonly mappingVersion: number;
  readonly source: ContractBooked['source'];
  readonly externalRefs: ContractBooked['externalRefs'];
}

/** Validates a built event against its canonical schema; every issue is a schema_violation. */
export function checkedEvent<S extends z.ZodType>(schema: S, event: unknown): z.infer<S> {
  const result = validate(schema, event);
  if (result.ok) return result.value;
  const problems: OrderProblem[] = result.issues.map((issue) =>
    problem(
      'schema_violation',
      issue.field,
      `The canonical event would be invalid: ${issue.field || '(event)'} ${issue.message}`,
    ),
  );
  throw new OrderRejected(problems);
}
