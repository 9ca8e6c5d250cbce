import type { INestApplication, Type } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import helmet from 'helmet';
import { HttpConfig, loadConfig } from '@revline/config';
import {
  acceptCorrelationId,
  CORRELATION_HEADER,
  createLogger,
  MetricsService,
  PinoLoggerService,
  runWithCorrelation,
  withTracedApp,
} from '@revline/observability';
import { CorrelationInterceptor } from './correlation.interceptor';
import type { ProblemDetails } from './problem';
import { PROBLEM_CONTENT_TYPE } from './problem';
import { ProblemDetailsFilter } from './problem-details.filter';
import { registerRateLimits } from './rate-limits';
import { traceRequests } from './request-tracing';
import type { ApiDocSpec } from './swagger';
import { buildOpenApiDocument, serveSwaggerUi } from './swagger';
import { revlineValidationPipe } from './validation';
import { refusalOfTarget, refuseMalformedText } from './well-formed-text';

type ProblemAnswer = (error: unknown, request: FastifyRequest, reply: FastifyReply) => void;

/**
 * Fastify's error handler answers errors raised before a route's handler runs (a body that is not JSON, a path
 * parameter too long) as problem+json like Nest's filters. It is set before the routes are registered (Fastify
 * gives each route the handler in force when it is added), so Nest's own, set after them, is not installed.
 */
class ProblemFastifyAdapter extends FastifyAdapter {
  constructor(answerProblem: ProblemAnswer, options: FastifyServerOptions) {
    super(options);
    this.getInstance().setErrorHandler(answerProblem);
  }

  override setErrorHandler(): ReturnType<FastifyAdapter['setErrorHandler']> {
    return this.getInstance();
  }
}

export interface HttpAppSpec {
  /** The app's name as it appears in logs and metrics: `process-q2c`. */
  name: string;
  /** The variable that sets the port, and the port when it is unset. */
  port: { variable: string; default: number };
  docs: ApiDocSpec;
  /** Build without serving Swagger UI or applying runtime-only plugins (OpenAPI generation). */
  preview?: boolean;
  /**
   * Answer a path, query or body holding a NUL or bytes that are not UTF-8 with a 400 before any route runs (the
   * default). The vendor sandboxes turn it off: they answer bad input as their vendor does, in its error shape.
   */
  refuseMalformedText?: boolean;
  /**
   * Trace the app (the default, when tracing is configured): a span per request and its work under the app's
   * service.name. The vendor sandboxes turn it off: they stand in for the vendors, whose side is not Revline's.
   */
  traced?: boolean;
}

/** The Swagger portal's pages (/docs and what it loads), the one place inline scripts are allowed. */
export function isSwaggerPage(url: string): boolean {
  const path = url.split('?')[0];
  return path === '/docs' || path.startsWith('/docs/');
}

/**
 * helmet with Revline's content security policy: scripts from `scriptSrc` only (no `unsafe-inline` outside the
 * Swagger portal), inline styles allowed, images from the app, data: URIs and Swagger's validator badge.
 */
function securityHeaders(scriptSrc: string[]): ReturnType<typeof helmet> {
  return helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: [`'self'`],
        styleSrc: [`'self'`, `'unsafe-inline'`],
        imgSrc: [`'self'`, 'data:', 'validator.swagger.io'],
        scriptSrc,
      },
    },
  });
}

/**
 * Builds one app on Fastify with the shared HTTP runtime: correlation ids, JSON logs, metrics, security headers,
 * rate limits, body size limits, validation, problem+json errors and the Swagger portal at /docs.
 */
export async function createHttpApp(module: Type, spec: HttpAppSpec): Promise<NestFastifyApplication> {
  const http = loadConfig(HttpConfig);
  const logger = new PinoLoggerService(createLogger(spec.name));
  const filter = new ProblemDetailsFilter();
  const errors = new Logger('Errors');
  // Errors Fastify raises before a route's handler runs (a body that is not JSON, a path parameter too long)
  // never reach Nest's filters: they are answered as the same problem+json.
  const answerProblem: ProblemAnswer = (error, request, reply) => {
    // A plugin's own problem is thrown as it is built; anything else is mapped. A target the router cannot decode
    // (not UTF-8) fails before any hook runs: it is named as the hook would have.
    const given = error as Partial<ProblemDetails>;
    const malformed = spec.refuseMalformedText === false ? null : refusalOfTarget(request.url);
    const body =
      typeof given.status === 'number' && typeof given.type === 'string'
        ? ({ ...given } as ProblemDetails)
        : filter.toProblem(malformed ?? error);
    body.instance = request.url.split('?')[0];
    // Set by the onRequest hook, except for what fails before it (a target the router cannot decode).
    const correlationId = acceptCorrelationId(request.headers[CORRELATION_HEADER]);
    body.correlationId = correlationId;
    void reply.header(CORRELATION_HEADER, correlationId);
    if (body.status >= 500) errors.error({ msg: 'request failed', err: error, url: body.instance });
    void reply.status(body.status).header('content-type', PROBLEM_CONTENT_TYPE).send(body);
  };
  const adapter = new ProblemFastifyAdapter(answerProblem, {
    bodyLimit: http.BODY_LIMIT_BYTES,
    trustProxy: http.trustedProxies(),
    logger: false,
    frameworkErrors: answerProblem,
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    logger,
    bufferLogs: true,
    preview: spec.preview ?? false,
    abortOnError: false,
  });
  app.useLogger(logger);
  const fastify = app.getHttpAdapter().getInstance();

  fastify.addHook('onRequest', (request, reply, done) => {
    const correlationId = acceptCorrelationId(request.headers[CORRELATION_HEADER]);
    request.headers[CORRELATION_HEADER] = correlationId;
    void reply.header(CORRELATION_HEADER, correlationId);
    runWithCorrelation({ correlationId }, done);
  });
  if (spec.traced !== false && !spec.preview) traceRequests(fastify, spec.name);
  if (spec.refuseMalformedText !== false) refuseMalformedText(fastify);

  if (!spec.preview) {
    const metrics = app.get(MetricsService);
    fastify.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? 'unmatched';
      metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
      metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
      done();
    });
    // helmet's middleware built once per policy (the Fastify plugin builds it again on every request).
    const strict = securityHeaders([`'self'`]);
    const swagger = securityHeaders([`'self'`, `'unsafe-inline'`]);
    fastify.addHook('onRequest', (request, reply, done) => {
      const headers = isSwaggerPage(request.url) ? swagger : strict;
      headers(request.raw, reply.raw, (error?: unknown) => {
        done(error instanceof Error ? error : undefined);
      });
    });
    await registerRateLimits(fastify);
  }

  app.useGlobalPipes(revlineValidationPipe());
  app.useGlobalFilters(filter);
  app.useGlobalInterceptors(new CorrelationInterceptor());
  if (!spec.preview) serveSwaggerUi(app, buildOpenApiDocument(app, spec.docs));
  return app;
}

/**
 * Starts the app (its init hooks, then the server) as the work of its own service: what it sets going as it starts
 * (workers, pollers, timers) has its service.name on its spans when apps share a process.
 */
export function listenAs(
  app: NestFastifyApplication,
  spec: HttpAppSpec,
  port: number,
  host: string,
): Promise<unknown> {
  const listen = () => app.listen({ port, host });
  return spec.traced === false ? listen() : withTracedApp(spec.name, listen);
}

/** What an app's OpenAPI document is, for `npm run openapi`. */
export async function describeHttpApp(module: Type, spec: HttpAppSpec): Promise<object> {
  const app: INestApplication = await createHttpApp(module, { ...spec, preview: true });
  try {
    return buildOpenApiDocument(app, spec.docs);
  } finally {
    await app.close();
  }
}
