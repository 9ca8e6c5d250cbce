import { SpanKind } from '@opentelemetry/api';
import type { SpanOptions } from '@revline/observability';
import { extractTraceContext } from '@revline/observability';
import type { Job } from 'bullmq';
import type { Envelope } from './envelope';
import type { DiscoveredHandler } from './handler-table';

/**
 * The CONSUMER span of one job's handler: a child of the span that wrote the message (the envelope's
 * `traceparent`), or the start of a trace when the message carries none.
 */
export function consumerSpan(
  queue: string,
  job: Job,
  handler: DiscoveredHandler,
  envelope: Envelope,
): SpanOptions {
  return {
    kind: SpanKind.CONSUMER,
    parent: extractTraceContext(envelope),
    attributes: {
      'messaging.system': 'bullmq',
      'messaging.operation.type': 'process',
      'messaging.destination.name': queue,
      'messaging.message.id': envelope.messageId,
      'messaging.bullmq.job.id': job.id ?? '',
      'messaging.bullmq.job.attempt': job.attemptsMade + 1,
      'revline.job': job.name,
      'revline.handler': handler.owner,
      'revline.correlation_id': envelope.correlationId,
    },
  };
}
