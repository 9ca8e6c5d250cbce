import fastifyStatic from '@fastify/static';
import { Injectable } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { PROBLEM_CONTENT_TYPE, problem } from '@revline/http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConsoleConfig } from './console.config';

/** The paths the console never answers: the API, health, metrics and Swagger, and its own assets (404 when absent). */
const NOT_THE_CONSOLE = ['/v1', '/health', '/metrics', '/docs', '/assets'];

const under = (path: string, prefix: string): boolean => path === prefix || path.startsWith(`${prefix}/`);

/** The repository root: the first folder above this file with package.json and nest-cli.json (source or dist/). */
export function repositoryRoot(from = __dirname): string {
  for (let dir = from; dirname(dir) !== dir; dir = dirname(dir))
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'nest-cli.json'))) return dir;
  return process.cwd();
}

/** Where the built console is: CONSOLE_DIR, or dist/console under the repository root. */
export function consoleDir(config: ConsoleConfig): string {
  return config.CONSOLE_DIR ? resolve(config.CONSOLE_DIR) : join(repositoryRoot(), 'dist', 'console');
}

const isFile = (path: string): boolean => {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

/**
 * Serves the built finance console (`npm run build` writes it to dist/console): `/` and any page a browser asks for
 * (GET accepting text/html outside the API, health, metrics, Swagger and assets) get index.html, so the console's
 * own routes work on reload; /assets/* are the build's hashed files, cached for a year. The app's content security
 * policy (scripts from 'self' only) applies as to every route. Without a build, pages answer 503 saying so.
 */
@Injectable()
export class ConsoleStatic implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: ConsoleConfig,
  ) {}

  get dir(): string {
    return consoleDir(this.config);
  }

  async onModuleInit(): Promise<void> {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    await fastify.register(async (scope) => {
      // Only reply.sendFile: the routes are the ones below, so the build may appear after the app started.
      await scope.register(fastifyStatic, { serve: false });
      scope.get('/assets/*', (request, reply) => this.asset(request, reply));
      scope.get('/*', (request, reply) => this.page(request, reply));
      scope.get('/', (request, reply) => this.page(request, reply));
    });
  }

  private asset(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const path = decodeURIComponent(request.url.split('?')[0]);
    return reply
      .header('cache-control', 'public, max-age=31536000, immutable')
      .sendFile(path.slice(1), this.dir, { cacheControl: false });
  }

  private page(request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
    const path = request.url.split('?')[0];
    if (NOT_THE_CONSOLE.some((prefix) => under(path, prefix))) {
      reply.callNotFound();
      return undefined;
    }
    const dir = this.dir;
    // A file at the build's top level (favicon.svg, robots.txt) as it is.
    const file = /^\/[\w.-]+$/.test(path) && path !== '/index.html' ? join(dir, path.slice(1)) : null;
    if (file !== null && isFile(file)) return reply.sendFile(path.slice(1), dir, { cacheControl: false });
    const html = (request.headers.accept ?? '').includes('text/html');
    if (!html && path !== '/') {
      reply.callNotFound();
      return undefined;
    }
    if (!isFile(join(dir, 'index.html'))) return this.notBuilt(reply, path, dir, html);
    return reply.header('cache-control', 'no-cache').sendFile('index.html', dir, { cacheControl: false });
  }

  /** 503 without a build: a page for a browser, problem+json for anything else. */
  private notBuilt(reply: FastifyReply, path: string, dir: string, html: boolean): FastifyReply {
    const detail = `The console is not built: run npm run build (there is no index.html in ${dir}; CONSOLE_DIR names another folder)`;
    void reply.status(503).header('cache-control', 'no-store');
    if (html)
      return reply.header('content-type', 'text/html; charset=utf-8').send(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Revline finance console: not built</title></head>
<body><main><h1>The console is not built</h1><p>${escapeHtml(detail)}</p>
<p>The API is up: its documentation is at <a href="/docs">/docs</a>.</p></main></body></html>`);
    return reply
      .header('content-type', PROBLEM_CONTENT_TYPE)
      .send({ ...problem(503, detail), instance: path });
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${String(c.charCodeAt(0))};`);
}
