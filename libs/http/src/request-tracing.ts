import type { Context, Span } from '@opentelemetry/api';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import {
  extractTraceContext,
  startSpan,
  tracingEnabled,
  withTraceContext,
  withTracedApp,
} from '@revline/observability';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const TRACE = Symbol('revline.trace');

interface Traced {
  [TRACE]?: { span: Span; context: Context };
}

/** Probes, scrapes and the docs portal: polled all day, and no part of any business trace. */
const UNTRACED = /^\/(health|metrics|docs)(\/|$)/;

/**
 * A SERVER span for each request of `app`, continuing the caller's W3C `traceparent`; the request's handlers run in
 * it. Nothing is added when tracing is off.
 */
export function traceRequests(fastify: FastifyInstance, app: string): void {
  if (!tracingEnabled()) return;
  fastify.addHook('onRequest', (request, reply, done) => {
    const route = request.routeOptions.url;
    if (route === undefined || UNTRACED.test(route)) {
      done();
      return;
    }
    const started = withTracedApp(app, () =>
      startSpan(`${request.method} ${route}`, {
        kind: SpanKind.SERVER,
        parent: extractTraceContext({
          traceparent: request.headers.traceparent,
          tracestate: request.headers.tracestate,
        }),
        attributes: {
          'http.request.method': request.method,
          'http.route': route,
          'url.path': request.url.split('?')[0],
        },
      }),
    );
    (request as Traced)[TRACE] = started;
    withTraceContext(started?.context, done);
  });
  const end = (request: FastifyRequest, status?: number): void => {
    const traced = (request as Traced)[TRACE];
    if (!traced) return;
    (request as Traced)[TRACE] = undefined;
    if (status === undefined) {
      traced.span.setStatus({ code: SpanStatusCode.ERROR, message: 'the client closed the request' });
    } else {
      traced.span.setAttribute('http.response.status_code', status);
      if (status >= 500) traced.span.setStatus({ code: SpanStatusCode.ERROR });
    }
    traced.span.end();
  };
  fastify.addHook('onResponse', (request, reply, done) => {
    end(request, reply.statusCode);
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    end(request);
    done();
  });
}

/** The trace context a request's handler runs in (Fastify's body parsing leaves the hook's scope). */
export function requestTraceContext(request: object): Context | undefined {
  return (request as Traced)[TRACE]?.context;
}
