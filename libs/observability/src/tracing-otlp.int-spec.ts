import { SpanKind } from '@opentelemetry/api';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inClientSpan, initTracing, inSpan, shutdownTracing } from './tracing';

interface Received {
  path: string;
  contentType: string | undefined;
  body: {
    resourceSpans: Array<{
      resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
      scopeSpans: Array<{
        spans: Array<{ name: string; traceId: string; parentSpanId?: string; kind: number }>;
      }>;
    }>;
  };
}

/** A tiny OTLP/HTTP receiver on loopback: what an OTLP backend (Jaeger, a collector) is sent. */
describe('the OTLP exporter switched on by OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        contentType: req.headers['content-type'],
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received['body'],
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', `http://127.0.0.1:${String(port)}`);
    vi.stubEnv('OTEL_SERVICE_NAME', 'revline-billing-blue');
    vi.stubEnv('OTEL_RESOURCE_ATTRIBUTES', 'deployment.environment=spec');
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  });

  it('sends the spans as OTLP JSON to /v1/traces when the process shuts tracing down', async () => {
    expect(initTracing('system-billing')).toBe(true);
    await inSpan('billing.apply-contract-change process', { kind: SpanKind.CONSUMER }, () =>
      inClientSpan('stripe', 'subscriptions.create', () => Promise.resolve()),
    );
    expect(received).toEqual([]); // batched, not sent per span
    await shutdownTracing();

    expect(received.map((r) => [r.path, r.contentType])).toEqual([['/v1/traces', 'application/json']]);
    const [resourceSpans] = received[0].body.resourceSpans;
    expect(received[0].body.resourceSpans).toHaveLength(1);
    expect(resourceSpans.resource.attributes).toContainEqual({
      key: 'service.name',
      value: { stringValue: 'revline-billing-blue' },
    });
    expect(resourceSpans.resource.attributes).toContainEqual({
      key: 'deployment.environment',
      value: { stringValue: 'spec' },
    });
    const spans = resourceSpans.scopeSpans.flatMap((s) => s.spans);
    expect(spans.map((s) => s.name)).toEqual([
      'stripe subscriptions.create',
      'billing.apply-contract-change process',
    ]);
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
  });
});
