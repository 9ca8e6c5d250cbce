import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { initTracing, inSpan, shutdownTracing } from '@revline/observability';
import type { Job } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Envelope } from './envelope';
import { createEnvelope, envelopeProblem } from './envelope';
import { consumerSpan } from './trace-context';

const handler = {
  job: 'q2c.reconcile' as const,
  owner: 'ReconcileHandler.handle',
  fn: () => Promise.resolve(),
};
const job = { id: 'q2c.reconcile-1', name: 'q2c.reconcile', attemptsMade: 0 } as Job;
const envelope = (): Envelope =>
  createEnvelope('q2c.reconcile', { period: '2026-03' } as never, {
    idempotencyKey: 'reconcile:2026-03',
    correlationId: 'corr-2026-03',
    occurredAt: new Date('2026-03-31T23:00:00Z'),
  });

describe('the trace context in a job envelope', () => {
  let exporter: InMemorySpanExporter;

  beforeEach(() => {
    exporter = new InMemorySpanExporter();
  });

  afterEach(async () => {
    await shutdownTracing();
  });

  it("carries the writer's span to the consumer: the handler's CONSUMER span is its child, in its trace", async () => {
    initTracing('system-salesforce', { exporter, env: {} });
    const sent = await inSpan('capture', { kind: SpanKind.PRODUCER }, () => Promise.resolve(envelope()));
    const [producer] = exporter.getFinishedSpans();
    expect(sent.traceparent).toBe(`00-${producer.spanContext().traceId}-${producer.spanContext().spanId}-01`);
    // Through JSON, as the outbox row and the BullMQ job hold it.
    const received = JSON.parse(JSON.stringify(sent)) as Envelope;
    expect(envelopeProblem(received)).toBeUndefined();
    await inSpan('q2c.reconcile process', consumerSpan('q2c.scheduled', job, handler, received), () =>
      Promise.resolve(),
    );
    const consumer = exporter.getFinishedSpans()[1];
    expect(consumer.kind).toBe(SpanKind.CONSUMER);
    expect(consumer.spanContext().traceId).toBe(producer.spanContext().traceId);
    expect(consumer.parentSpanContext?.spanId).toBe(producer.spanContext().spanId);
    expect(consumer.attributes).toMatchObject({
      'messaging.destination.name': 'q2c.scheduled',
      'messaging.message.id': received.messageId,
      'revline.job': 'q2c.reconcile',
      'revline.correlation_id': 'corr-2026-03',
    });
  });

  it('accepts an envelope without trace context (older messages, tracing off): its consumer starts a trace', async () => {
    const untraced = envelope();
    expect(untraced).not.toHaveProperty('traceparent');
    expect(untraced).not.toHaveProperty('tracestate');
    expect(envelopeProblem(untraced)).toBeUndefined();

    initTracing('process-q2c', { exporter, env: {} });
    expect(envelope()).not.toHaveProperty('traceparent'); // no span in scope: nothing to carry
    await inSpan('q2c.reconcile process', consumerSpan('q2c.scheduled', job, handler, untraced), () =>
      Promise.resolve(),
    );
    const [consumer] = exporter.getFinishedSpans();
    expect(consumer.parentSpanContext).toBeUndefined();
  });

  it('accepts a malformed traceparent as no trace context: the job still runs', async () => {
    initTracing('process-q2c', { exporter, env: {} });
    const odd = { ...envelope(), traceparent: 'garbage', tracestate: 42 } as unknown as Envelope;
    expect(envelopeProblem(odd)).toBeUndefined();
    await inSpan('q2c.reconcile process', consumerSpan('q2c.scheduled', job, handler, odd), () =>
      Promise.resolve(),
    );
    expect(exporter.getFinishedSpans()[0].parentSpanContext).toBeUndefined();
  });
});
