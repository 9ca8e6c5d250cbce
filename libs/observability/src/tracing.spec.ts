import { SpanKind, trace } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import {
  extractTraceContext,
  httpOperation,
  inClientSpan,
  initTracing,
  inSpan,
  inStoredTrace,
  shutdownTracing,
  traceHeaders,
  tracingEnabled,
  tracingSettings,
  withTracedApp,
} from './tracing';

describe('tracing switched by the standard OTEL_* variables', () => {
  it('is off with no variable, with OTEL_SDK_DISABLED=true, and with OTEL_TRACES_EXPORTER=none', () => {
    expect(tracingSettings({})).toBeNull();
    expect(
      tracingSettings({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }),
    ).toBeNull();
    expect(tracingSettings({ OTEL_TRACES_EXPORTER: 'none' })).toBeNull();
  });

  it('is on for an OTLP endpoint, or an exporter named', () => {
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toEqual({
      exporters: ['otlp'],
    });
    expect(
      tracingSettings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' }),
    ).toEqual({
      exporters: ['otlp'],
    });
    expect(tracingSettings({ OTEL_TRACES_EXPORTER: 'otlp, console' })).toEqual({
      exporters: ['otlp', 'console'],
    });
  });

  it('refuses an exporter or protocol it cannot honour, naming the variable', () => {
    expect(() => tracingSettings({ OTEL_TRACES_EXPORTER: 'jaeger' })).toThrow(
      /OTEL_TRACES_EXPORTER was "jaeger"/,
    );
    expect(() =>
      tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }),
    ).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL was "grpc"/);
  });

  it('registers no provider and runs work as it is when not configured', async () => {
    expect(initTracing('process-q2c', { env: {} })).toBe(false);
    expect(tracingEnabled()).toBe(false);
    // The API's own no-op provider: nothing registered, so nothing can be exported.
    const span = trace.getTracer('probe').startSpan('probe');
    expect(span.isRecording()).toBe(false);
    expect(traceHeaders()).toEqual({});
    expect(
      extractTraceContext({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }),
    ).toBe(undefined);
    await expect(
      inSpan('work', { kind: SpanKind.INTERNAL }, (s) => Promise.resolve(s)),
    ).resolves.toBeUndefined();
  });
});

describe('spans and the W3C trace context', () => {
  // A shut-down exporter drops what it is given: a new one for each case.
  let exporter: InMemorySpanExporter;

  beforeEach(() => {
    exporter = new InMemorySpanExporter();
  });

  afterEach(async () => {
    await shutdownTracing();
  });

  it("continues a caller's traceparent and hands its own to the next hop", async () => {
    initTracing('system-billing', { exporter, env: {} });
    const incoming = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const outgoing = await inSpan(
      'POST /v1/things',
      {
        kind: SpanKind.SERVER,
        parent: extractTraceContext({ traceparent: incoming, tracestate: 'vendor=1' }),
      },
      () => inClientSpan('stripe', 'invoices.create', () => Promise.resolve(traceHeaders())),
    );
    const [client, server] = exporter.getFinishedSpans();
    expect(server.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(server.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(client.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(client.kind).toBe(SpanKind.CLIENT);
    expect(client.attributes['peer.service']).toBe('stripe');
    expect(outgoing.traceparent).toBe(
      `00-0af7651916cd43dd8448eb211c80319c-${client.spanContext().spanId}-01`,
    );
    expect(outgoing.tracestate).toBe('vendor=1');
    expect(server.resource.attributes['service.name']).toBe('system-billing');
  });

  it('ignores a malformed traceparent: the span starts a trace of its own', async () => {
    initTracing('process-q2c', { exporter, env: {} });
    await inSpan(
      'job',
      { kind: SpanKind.CONSUMER, parent: extractTraceContext({ traceparent: 'not-a-trace' }) },
      () => Promise.resolve(),
    );
    const [span] = exporter.getFinishedSpans();
    expect(span.parentSpanContext).toBeUndefined();
    expect(span.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('records a failure on the span and throws it on', async () => {
    initTracing('system-erp', { exporter, env: {} });
    await expect(
      inClientSpan('netsuite', 'POST /services/rest/record/v1/invoice', () =>
        Promise.reject(new Error('refused')),
      ),
    ).rejects.toThrow('refused');
    const [span] = exporter.getFinishedSpans();
    expect(span.status).toMatchObject({ code: 2, message: 'refused' });
    expect(span.events.map((e) => e.name)).toEqual(['exception']);
  });

  it("gives each app booted in one process its own service.name, OTEL_SERVICE_NAME the process's own", async () => {
    initTracing('process-q2c', { exporter, env: { OTEL_SERVICE_NAME: 'q2c-blue' } });
    await inSpan('own', { kind: SpanKind.INTERNAL }, () => Promise.resolve());
    await withTracedApp('system-erp', () =>
      inSpan('erp', { kind: SpanKind.INTERNAL }, () => Promise.resolve()),
    );
    // What an app sets going as it starts (a timer, a worker loop) keeps the app.
    await withTracedApp(
      'system-billing',
      () =>
        new Promise<void>((resolve) => {
          setTimeout(
            () => void inSpan('later', { kind: SpanKind.INTERNAL }, () => Promise.resolve()).then(resolve),
            1,
          );
        }),
    );
    expect(exporter.getFinishedSpans().map((s) => [s.name, s.resource.attributes['service.name']])).toEqual([
      ['own', 'q2c-blue'],
      ['erp', 'system-erp'],
      ['later', 'system-billing'],
    ]);
  });

  it("brings work that came in on another trace (a vendor's webhook) back into a saga's stored trace", async () => {
    initTracing('process-q2c', { exporter, env: {} });
    const stored = await inSpan('saga start', { kind: SpanKind.CONSUMER }, () =>
      Promise.resolve(traceHeaders()),
    );
    await inSpan('POST /v1/webhooks/stripe', { kind: SpanKind.SERVER }, () =>
      inStoredTrace('saga booking billing', stored, () =>
        inStoredTrace('already in the trace: no span', stored, () => Promise.resolve()),
      ),
    );
    const [start, step, webhook] = exporter.getFinishedSpans();
    expect(exporter.getFinishedSpans()).toHaveLength(3);
    expect(step.name).toBe('saga booking billing');
    expect(step.spanContext().traceId).toBe(start.spanContext().traceId);
    expect(step.parentSpanContext?.spanId).toBe(start.spanContext().spanId);
    expect(step.links.map((l) => l.context.spanId)).toEqual([webhook.spanContext().spanId]);
    // Nothing stored (a saga older than tracing): the work stays where it came in.
    await expect(inStoredTrace('none', {}, () => Promise.resolve(7))).resolves.toBe(7);
    expect(exporter.getFinishedSpans()).toHaveLength(3);
  });

  it('names an HTTP operation without its ids', () => {
    expect(httpOperation('GET', '/v1/contracts/801XX0000000001AAA/lineage?x=1')).toBe(
      'GET /v1/contracts/{id}/lineage',
    );
    expect(httpOperation('POST', '/v1/runs')).toBe('POST /v1/runs');
  });
});
