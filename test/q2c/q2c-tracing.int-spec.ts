import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { flushTracing, initTracing, shutdownTracing } from '@revline/observability';
import { bearer } from '@revline/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExperienceEnv } from '../experience/experience-env';
import { startExperienceEnv } from '../experience/experience-env';

const service = (span: ReadableSpan): string => String(span.resource.attributes['service.name']);
const traceOf = (spans: ReadableSpan[], traceId: string): ReadableSpan[] =>
  spans.filter((s) => s.spanContext().traceId === traceId);

/** Each span's parent is in the trace, and one span (the root) has none: the trace is one tree. */
function expectOneTree(trace: ReadableSpan[]): ReadableSpan {
  const ids = new Set(trace.map((s) => s.spanContext().spanId));
  const roots = trace.filter((s) => s.parentSpanContext === undefined);
  const orphans = trace.filter((s) => s.parentSpanContext && !ids.has(s.parentSpanContext.spanId));
  expect(orphans.map((s) => `${service(s)}: ${s.name}`)).toEqual([]);
  expect(roots.map((s) => `${service(s)}: ${s.name}`)).toHaveLength(1);
  return roots[0];
}

/**
 * One booking as one trace: the in-process stack (the five apps and the sandbox) exports to an in-memory exporter
 * through the same providers, processors and propagation the OTEL_* variables switch on in a deployment.
 */
describe('tracing: one booking is one trace across the apps (OpenTelemetry, in-memory exporter)', () => {
  const exporter = new InMemorySpanExporter();
  let env: ExperienceEnv;

  beforeAll(async () => {
    expect(initTracing('revline-specs', { exporter, env: {} })).toBe(true);
    env = await startExperienceEnv();
  }, 120_000);

  afterAll(async () => {
    await env.close();
    await shutdownTracing();
  });

  it('from the Salesforce capture through process-q2c, billing and the ERP to the write-back, vendor calls included', async () => {
    const { orderId, saga } = await env.q2cEnv.bookG1();
    await env.q2cEnv.settle();
    await flushTracing();
    const spans = exporter.getFinishedSpans();
    const captured = spans.find(
      (s) =>
        s.name === 'crm.record-changed publish' && s.attributes['revline.salesforce.order_id'] === orderId,
    );
    if (!captured) throw new Error(`no capture span for ${orderId}`);
    const trace = traceOf(spans, captured.spanContext().traceId);

    expect(expectOneTree(trace)).toBe(captured);
    expect(service(captured)).toBe('system-salesforce');
    // The batch that read the order (a poll or a CDC signal) is a trace of its own, linked from the capture.
    const batch = spans.find((s) => s.spanContext().spanId === captured.links[0]?.context.spanId);
    expect(batch?.name).toBe('salesforce capture');
    expect(batch?.spanContext().traceId).not.toBe(captured.spanContext().traceId);
    expect(new Set(trace.map(service))).toEqual(
      new Set(['system-salesforce', 'process-q2c', 'system-billing', 'system-erp']),
    );
    // Each app's handlers ran under CONSUMER spans of this trace, with the booking's correlation id.
    const consumers = trace.filter((s) => s.kind === SpanKind.CONSUMER);
    expect(new Set(consumers.map(service))).toEqual(
      new Set(['system-salesforce', 'process-q2c', 'system-billing', 'system-erp']),
    );
    for (const span of consumers) {
      expect(span.attributes['revline.correlation_id']).toBe(saga.correlation_id);
      expect(span.attributes['messaging.destination.name']).toEqual(expect.any(String));
      expect(span.attributes['messaging.message.id']).toEqual(expect.any(String));
    }
    // The vendor calls: Stripe from billing, NetSuite from the ERP, Salesforce (the write-back).
    const vendors = trace
      .filter((s) => s.kind === SpanKind.CLIENT)
      .map((s) => `${service(s)} → ${String(s.attributes['peer.service'])}`);
    for (const peer of ['system-billing → stripe', 'system-erp → netsuite', 'system-salesforce → salesforce'])
      expect(vendors).toContain(peer);
    const writeBack = trace.find(
      (s) =>
        service(s) === 'system-salesforce' &&
        s.kind === SpanKind.CONSUMER &&
        s.attributes['revline.job'] === 'crm.write-back',
    );
    expect(writeBack).toBeDefined();
  });

  it("continues a caller's traceparent from experience-finance into process-q2c", async () => {
    const { orderId } = await env.q2cEnv.bookG1();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await request(env.experience.url)
      .get(`/v1/contracts/${orderId}/lifecycle`)
      .set(bearer(env.viewer))
      .set('traceparent', `00-${traceId}-00f067aa0ba902b7-01`)
      .expect(200);
    await flushTracing();
    const trace = traceOf(exporter.getFinishedSpans(), traceId);
    const ids = new Set(trace.map((s) => s.spanContext().spanId));
    for (const span of trace)
      expect(
        ids.has(span.parentSpanContext?.spanId ?? '') ||
          span.parentSpanContext?.spanId === '00f067aa0ba902b7',
      ).toBe(true);
    const entry = trace.find((s) => s.kind === SpanKind.SERVER && service(s) === 'experience-finance');
    const call = trace.find((s) => s.kind === SpanKind.CLIENT && service(s) === 'experience-finance');
    const q2c = trace.find((s) => s.kind === SpanKind.SERVER && service(s) === 'process-q2c');
    expect(entry?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(entry?.name).toBe('GET /v1/contracts/:contractId/lifecycle');
    expect(call?.parentSpanContext?.spanId).toBe(entry?.spanContext().spanId);
    expect(call?.attributes['peer.service']).toBe('process-q2c');
    expect(q2c?.parentSpanContext?.spanId).toBe(call?.spanContext().spanId);
    expect(q2c?.attributes['http.response.status_code']).toBe(200);
  });
});
