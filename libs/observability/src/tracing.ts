import type { Attributes, Context, Link, Span, Tracer } from '@opentelemetry/api';
import {
  context,
  createContextKey,
  defaultTextMapGetter,
  defaultTextMapSetter,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { Resource } from '@opentelemetry/resources';
import {
  defaultResource,
  detectResources,
  envDetector,
  processDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { currentCorrelationId } from './correlation';

type Env = Record<string, string | undefined>;

/** The exporters OTEL_TRACES_EXPORTER may name here (OTLP is sent as JSON over HTTP). */
const EXPORTERS = ['otlp', 'console', 'none'] as const;
type ExporterName = (typeof EXPORTERS)[number];

/** What the standard OTEL_* variables ask for: the exporters to start, or none when tracing is off. */
export interface TracingSettings {
  exporters: Array<Exclude<ExporterName, 'none'>>;
}

/** A variable that is set to something this process cannot honour: start-up stops with this message. */
export class TracingConfigError extends Error {}

/**
 * Reads the standard variables. Tracing is on when OTEL_TRACES_EXPORTER names `otlp` or `console`, or when it is
 * unset and an OTLP endpoint is given (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT).
 * OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none turn it off. Answers null when off.
 */
export function tracingSettings(env: Env = process.env): TracingSettings | null {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return null;
  const named = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  const unknown = named.filter((name) => !(EXPORTERS as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new TracingConfigError(
      `OTEL_TRACES_EXPORTER was ${JSON.stringify(env.OTEL_TRACES_EXPORTER)}: must name otlp, console or none`,
    );
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL;
  if (protocol !== undefined && protocol !== '' && protocol !== 'http/json')
    throw new TracingConfigError(
      `OTEL_EXPORTER_OTLP_PROTOCOL was ${JSON.stringify(protocol)}: Revline sends OTLP as http/json only`,
    );
  if (named.length === 0) {
    const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
    return endpoint ? { exporters: ['otlp'] } : null;
  }
  if (named.includes('none')) return null;
  return { exporters: [...new Set(named)] as TracingSettings['exporters'] };
}

interface TracingState {
  /** The span processors every app's provider shares (one export pipeline per process). */
  processors: SpanProcessor[];
  /** The app the process was started as, and its service name: OTEL_SERVICE_NAME, or the app's name. */
  app: string;
  service: string;
  /** The SDK's and the process's attributes, and OTEL_RESOURCE_ATTRIBUTES. */
  resource: Resource;
  /** One provider per app name: apps booted side by side in one process (the specs) keep their service.name. */
  providers: Map<string, NodeTracerProvider>;
}

let state: TracingState | undefined;

const APP_KEY = createContextKey('revline.app');
const propagator = new W3CTraceContextPropagator();

/** Whether a provider is registered in this process (tracing configured and started). */
export function tracingEnabled(): boolean {
  return state !== undefined;
}

export interface TracingOptions {
  env?: Env;
  /** Exports to this exporter instead of the ones the variables name (the specs' InMemorySpanExporter). */
  exporter?: SpanExporter;
}

/**
 * Starts tracing from the standard OTEL_* variables, before the app is built: registers the process's tracer
 * provider, the async context manager and the exporters. Does nothing, and costs nothing, when tracing is off.
 * Answers whether tracing is on.
 */
export function initTracing(service: string, options: TracingOptions = {}): boolean {
  if (state) return true;
  const env = options.env ?? process.env;
  let processors: SpanProcessor[];
  if (options.exporter) {
    processors = [new SimpleSpanProcessor(options.exporter)];
  } else {
    const settings = tracingSettings(env);
    if (!settings) return false;
    processors = settings.exporters.map((name) =>
      name === 'console'
        ? new SimpleSpanProcessor(new ConsoleSpanExporter())
        : new BatchSpanProcessor(new OTLPTraceExporter()),
    );
  }
  state = {
    processors,
    app: service,
    service: env.OTEL_SERVICE_NAME || service,
    resource: defaultResource().merge(detectResources({ detectors: [envDetector, processDetector] })),
    providers: new Map(),
  };
  const provider = providerFor(state.service);
  // The global provider, context manager (AsyncLocalStorage) and W3C propagator: the process's own app.
  provider.register();
  return true;
}

/** Sends what is buffered and stops tracing (on shutdown, after the apps closed). */
export async function shutdownTracing(): Promise<void> {
  const current = state;
  if (!current) return;
  state = undefined;
  await Promise.allSettled([...current.providers.values()].map((provider) => provider.shutdown()));
  trace.disable();
  context.disable();
}

/** Sends what is buffered without stopping (the specs read their exporter after it). */
export async function flushTracing(): Promise<void> {
  if (!state) return;
  await Promise.all([...state.providers.values()].map((provider) => provider.forceFlush()));
}

function providerFor(app: string): NodeTracerProvider {
  const current = state as TracingState;
  let provider = current.providers.get(app);
  if (!provider) {
    provider = new NodeTracerProvider({
      resource: current.resource.merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: app })),
      spanProcessors: current.processors,
    });
    current.providers.set(app, provider);
  }
  return provider;
}

/** The tracer of the app whose work is in `scope` (see `withTracedApp`), or of the process's own app. */
function tracer(scope: Context): Tracer {
  const current = state as TracingState;
  const app = scope.getValue(APP_KEY) ?? context.active().getValue(APP_KEY);
  const service = typeof app === 'string' && app !== current.app ? app : current.service;
  return providerFor(service).getTracer('revline');
}

/**
 * Runs `work` as the work of `app`: the spans started in it, and in whatever it sets going (an app's workers and
 * timers when it is initialised), carry that app's service.name. One app per process needs none of this; apps
 * booted side by side in one process (the sandbox, the specs) do.
 */
export function withTracedApp<T>(app: string, work: () => T): T {
  if (!state) return work();
  return context.with(context.active().setValue(APP_KEY, app), work);
}

/** The correlation id stays what it is: every span carries it as an attribute when one is in scope. */
export const CORRELATION_ATTRIBUTE = 'revline.correlation_id';

function begin(name: string, options: SpanOptions, parent: Context): Span {
  const correlationId = currentCorrelationId();
  return tracer(parent).startSpan(
    name,
    {
      kind: options.kind,
      attributes: {
        ...(correlationId ? { [CORRELATION_ATTRIBUTE]: correlationId } : {}),
        ...options.attributes,
      },
      links: options.links,
      root: options.root,
    },
    parent,
  );
}

export interface SpanOptions {
  kind: SpanKind;
  attributes?: Attributes;
  /** The parent: an extracted remote context; the active context when absent. */
  parent?: Context;
  /** Start a new trace, ignoring any span in scope (links say where it came from). */
  root?: boolean;
  links?: Link[];
}

/**
 * Runs `work` in a new span, ended when it settles; a failure is recorded on the span and thrown again.
 * Without tracing it runs `work` alone.
 */
export async function inSpan<T>(
  name: string,
  options: SpanOptions,
  work: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  if (!state) return work(undefined);
  const parent = options.parent ?? context.active();
  const span = begin(name, options, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    recordFailure(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** Starts a span the caller ends (an HTTP request spans hooks): its context to run the request's work in. */
export function startSpan(name: string, options: SpanOptions): { span: Span; context: Context } | undefined {
  if (!state) return undefined;
  const parent = options.parent ?? context.active();
  const span = begin(name, options, parent);
  return { span, context: trace.setSpan(parent, span) };
}

/** Runs `work` in a context from `startSpan` (undefined: as it is). */
export function withTraceContext<T>(traced: Context | undefined, work: () => T): T {
  if (!state || !traced) return work();
  return context.with(traced, work);
}

export function recordFailure(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}

/** The W3C trace context headers of the span in scope, `{}` when there is none (or tracing is off). */
export function traceHeaders(): { traceparent?: string; tracestate?: string } {
  if (!state) return {};
  const carrier: Record<string, string> = {};
  propagator.inject(context.active(), carrier, defaultTextMapSetter);
  return carrier;
}

/**
 * The remote parent named by `traceparent` (and `tracestate`) headers or envelope fields, on top of the context
 * in scope; the context in scope when they are absent or malformed (W3C: an invalid traceparent is ignored).
 */
export function extractTraceContext(carrier: {
  traceparent?: unknown;
  tracestate?: unknown;
}): Context | undefined {
  if (!state) return undefined;
  const headers: Record<string, string> = {};
  if (typeof carrier.traceparent === 'string') headers.traceparent = carrier.traceparent;
  if (typeof carrier.tracestate === 'string') headers.tracestate = carrier.tracestate;
  return propagator.extract(context.active(), headers, defaultTextMapGetter);
}

/**
 * A CLIENT span around one call to a vendor (`salesforce`, `stripe`, `netsuite`) or to another Revline app, retries
 * included: `operation` says what was asked (`invoices.create`, `POST /record/v1/invoice`).
 */
export function inClientSpan<T>(
  peer: string,
  operation: string,
  work: () => Promise<T>,
  attributes: Attributes = {},
): Promise<T> {
  if (!state) return work();
  return inSpan(
    `${peer} ${operation}`,
    {
      kind: SpanKind.CLIENT,
      attributes: { 'peer.service': peer, 'revline.peer.operation': operation, ...attributes },
    },
    () => work(),
  );
}

/** A request's method and path with its ids left out, for a span's name (`GET /v1/contracts/{id}/lineage`). */
export function httpOperation(method: string, path: string): string {
  const template = (path.split('?')[0] ?? path)
    .split('/')
    .map((segment) => (/\d/.test(segment) && segment.length >= 8 ? '{id}' : segment))
    .join('/');
  return `${method} ${template}`;
}

/**
 * Runs `work` in the trace a long-lived process (a saga) started in, whose stored `traceparent` names it, when the
 * work came in on another trace (a vendor's webhook starts one of its own): a span `name` is a child of the stored
 * context and links the trace that woke it. Runs `work` as it is when the traces already agree, when nothing was
 * stored, or without tracing.
 */
export function inStoredTrace<T>(
  name: string,
  stored: { traceparent?: unknown; tracestate?: unknown },
  work: () => Promise<T>,
): Promise<T> {
  if (!state || typeof stored.traceparent !== 'string') return work();
  const parent = extractTraceContext(stored) as Context;
  const origin = trace.getSpanContext(parent);
  const current = trace.getActiveSpan()?.spanContext();
  if (!origin || origin.traceId === current?.traceId) return work();
  return inSpan(name, { kind: SpanKind.INTERNAL, parent, links: current ? [{ context: current }] : [] }, () =>
    work(),
  );
}
