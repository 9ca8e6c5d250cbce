import { Injectable } from '@nestjs/common';
import { QueueDashboardConfig } from '@revline/config';
import { RedisConnections } from '@revline/messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash, randomBytes } from 'node:crypto';

/** The cookie that carries a queue dashboard session. */
export const DASHBOARD_SESSION_COOKIE = 'revline_queues_session';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The value of one cookie of a request, or undefined. */
export function cookieOf(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/**
 * Queue dashboard sessions: a browser cannot send the Authorization header with the page's scripts and styles, so
 * an admin signs in once with their API key and gets a random session token in an httpOnly, SameSite=Strict cookie
 * scoped to the dashboard's path (Secure over https), expiring after QUEUE_DASHBOARD_SESSION_MINUTES. Redis keeps
 * only the token's SHA-256 and the key's id, so every instance knows the session, and the key is checked again on
 * every request (a revoked key ends its sessions at once).
 */
@Injectable()
export class DashboardSessions {
  constructor(
    private readonly connections: RedisConnections,
    private readonly config: QueueDashboardConfig,
  ) {}

  private redisKey(token: string): string {
    return `${this.connections.prefix}:dashboard-session:${sha256(token)}`;
  }

  private get ttlSeconds(): number {
    return this.config.QUEUE_DASHBOARD_SESSION_MINUTES * 60;
  }

  /** Opens a session for a key and sets its cookie on the reply. */
  async open(keyId: string, request: FastifyRequest, reply: FastifyReply, path: string): Promise<void> {
    const token = randomBytes(32).toString('base64url');
    const redis = await this.connections.producer();
    await redis.set(this.redisKey(token), keyId, 'EX', this.ttlSeconds);
    void reply.header('set-cookie', this.cookie(token, this.ttlSeconds, request, path));
  }

  /** The key id of the request's session, or null when it has none or it has expired. */
  async keyIdOf(request: FastifyRequest): Promise<string | null> {
    const token = cookieOf(request, DASHBOARD_SESSION_COOKIE);
    if (!token) return null;
    return (await this.connections.producer()).get(this.redisKey(token));
  }

  /** Ends the request's session, if any, and clears its cookie. */
  async close(request: FastifyRequest, reply: FastifyReply, path: string): Promise<void> {
    const token = cookieOf(request, DASHBOARD_SESSION_COOKIE);
    if (token) await (await this.connections.producer()).del(this.redisKey(token));
    void reply.header('set-cookie', this.cookie('', 0, request, path));
  }

  /** Whether an owner's admin key may act on the dashboard rather than only look (QUEUE_DASHBOARD_ACTORS). */
  mayAct(owner: string): boolean {
    return this.actors().includes(owner);
  }

  /** Whether anyone may act: when no one may, the dashboard shows no action at all. */
  anyoneMayAct(): boolean {
    return this.actors().length > 0;
  }

  private actors(): string[] {
    return this.config.QUEUE_DASHBOARD_ACTORS.split(',')
      .map((o) => o.trim())
      .filter((o) => o !== '');
  }

  private cookie(token: string, maxAge: number, request: FastifyRequest, path: string): string {
    const secure = request.protocol === 'https' ? '; Secure' : '';
    return `${DASHBOARD_SESSION_COOKIE}=${token}; Path=${path}; Max-Age=${String(maxAge)}; HttpOnly; SameSite=Strict${secure}`;
  }
}

/** The sign-in page: a form that posts the API key once (no script, so the CSP allows it as it is). */
export function signInPage(action: string, message: string | null): string {
  const note = message === null ? '' : `<p role="alert">${escapeHtml(message)}</p>`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>Revline queues: sign in</title></head>
<body><main><h1>Revline queue dashboard</h1>${note}
<form method="post" action="${action}">
<label for="apiKey">Integration admin API key</label>
<input id="apiKey" name="apiKey" type="password" autocomplete="off" required>
<button type="submit">Sign in</button>
</form></main></body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${String(c.charCodeAt(0))};`);
}
