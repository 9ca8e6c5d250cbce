import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { Injectable, UnauthorizedException } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Principal } from '@revline/auth';
import { ApiKeys, AuditLog, authenticateRequest, effectiveRoles, missingRole } from '@revline/auth';
import {
  consumeRateLimit,
  DomainError,
  PROBLEM_CONTENT_TYPE,
  ProblemDetailsFilter,
  setProblemHeaders,
} from '@revline/http';
import { Queues } from '@revline/messaging';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DashboardSessions, signInPage } from './dashboard-session';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';
export const QUEUE_DASHBOARD_SIGN_IN = `${QUEUE_DASHBOARD_PATH}/sign-in`;
export const QUEUE_DASHBOARD_SIGN_OUT = `${QUEUE_DASHBOARD_PATH}/sign-out`;

/** The problem type of an action refused on a dashboard that is read-only for the key. */
export const READ_ONLY_DASHBOARD_PROBLEM = 'https://docs.revline.dev/problems/read-only-dashboard';

const LOOKING = new Set(['GET', 'HEAD']);
const OPEN_PATHS = new Set([QUEUE_DASHBOARD_SIGN_IN, QUEUE_DASHBOARD_SIGN_OUT]);

const pathOf = (request: FastifyRequest): string => request.url.split('?')[0];

/** A browser asking for a page (not a script, style or API call). */
const navigates = (request: FastifyRequest): boolean =>
  request.method === 'GET' && (request.headers.accept ?? '').includes('text/html');

/**
 * bull-board over every registry queue, for integration admins only: with their key in the Authorization header,
 * or in a browser through a session opened at /admin/queues/sign-in. Read-only unless the admin's key's owner is
 * one of QUEUE_DASHBOARD_ACTORS; each action of theirs is audited before it runs.
 */
@Injectable()
export class QueueDashboard implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly queues: Queues,
    private readonly keys: ApiKeys,
    private readonly sessions: DashboardSessions,
    private readonly audit: AuditLog,
  ) {}

  private readonly problems = new ProblemDetailsFilter();

  async onModuleInit(): Promise<void> {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const serverAdapter = new FastifyAdapter();
    serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
    // Without QUEUE_DASHBOARD_ACTORS no one may act, and the board shows no action; with them, the gate refuses the
    // others' actions (the board's buttons are the same for everyone).
    const readOnlyMode = !this.sessions.anyoneMayAct();
    createBullBoard({
      queues: (await this.queues.all()).map((queue) => new BullMQAdapter(queue, { readOnlyMode })),
      serverAdapter,
    });
    await fastify.register(async (scope) => {
      // The sign-in form's body (application/x-www-form-urlencoded) is parsed by the app's own parser.
      scope.addHook('onRequest', (request, reply) => this.gate(request, reply));
      scope.get(QUEUE_DASHBOARD_SIGN_IN, (_request, reply) => this.page(reply, 200, null));
      scope.post(QUEUE_DASHBOARD_SIGN_IN, (request, reply) => this.signIn(request, reply));
      scope.post(QUEUE_DASHBOARD_SIGN_OUT, async (request, reply) => {
        await this.sessions.close(request, reply, QUEUE_DASHBOARD_PATH);
        return reply.redirect(QUEUE_DASHBOARD_SIGN_IN, 303);
      });
      await scope.register(serverAdapter.registerPlugin(), { prefix: QUEUE_DASHBOARD_PATH });
    });
  }

  /** Lets a request through, or answers it: a sign-in page for a browser without a session, a problem otherwise. */
  private async gate(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    // Signing in and out needs no session: the form posts the key; signing out ends the caller's own session.
    if (OPEN_PATHS.has(pathOf(request))) return undefined;
    try {
      const principal = await this.admit(request, reply);
      await this.allowAction(request, principal);
      return undefined;
    } catch (error) {
      const body = this.problems.toProblem(error);
      if (body.status === 401 && navigates(request)) return reply.redirect(QUEUE_DASHBOARD_SIGN_IN, 303);
      // Answered here: bull-board's own error handler would make any refusal a 500.
      setProblemHeaders(reply, error, body.status);
      return reply.status(body.status).header('content-type', PROBLEM_CONTENT_TYPE).send(body);
    }
  }

  /**
   * An integration admin, by the key in the Authorization header or the request's session, counted in the rate
   * limits as on every route; a 401, 403 or 429 otherwise.
   */
  private async admit(request: FastifyRequest, reply: FastifyReply): Promise<Principal> {
    const principal = await this.principalOf(request);
    await consumeRateLimit(request, 'key', principal.keyId, reply);
    if (!effectiveRoles(principal.roles).has('integration.admin')) throw missingRole(['integration.admin']);
    return principal;
  }

  private async principalOf(request: FastifyRequest): Promise<Principal> {
    if (request.headers.authorization !== undefined) return authenticateRequest(this.keys, request);
    const keyId = await this.sessions.keyIdOf(request);
    if (keyId === null) return authenticateRequest(this.keys, request);
    const principal = await this.keys.principalOf(keyId);
    if (!principal)
      throw new UnauthorizedException('The dashboard session ended (its key was revoked): sign in again');
    return principal;
  }

  /** Looking is free; an action needs an owner in QUEUE_DASHBOARD_ACTORS, and is audited before it runs. */
  private async allowAction(request: FastifyRequest, principal: Principal): Promise<void> {
    if (LOOKING.has(request.method)) return;
    if (!this.sessions.mayAct(principal.owner))
      throw new DomainError(
        403,
        'The queue dashboard is read-only for this key: its owner is not one of QUEUE_DASHBOARD_ACTORS',
        undefined,
        { type: READ_ONLY_DASHBOARD_PROBLEM },
      );
    await this.audit.append({
      actor: `api-key:${principal.keyId} (${principal.name})`,
      action: 'queue-dashboard.action',
      target: `${request.method} ${pathOf(request)}`,
      after: { owner: principal.owner },
    });
  }

  /** Signs in with the key posted by the form: an integration admin's key opens a session; anything else is refused. */
  private async signIn(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const apiKey = (request.body as { apiKey?: unknown } | undefined)?.apiKey;
    request.headers.authorization = typeof apiKey === 'string' ? `Bearer ${apiKey.trim()}` : undefined;
    const refusal = await this.openSession(request, reply);
    if (refusal === null) return reply.redirect(QUEUE_DASHBOARD_PATH, 303);
    setProblemHeaders(reply, refusal.error, refusal.status);
    return this.page(reply, refusal.status, refusal.detail);
  }

  /** Opens a session for the request's key when it is an integration admin's; otherwise answers why not. */
  private async openSession(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<{ error: unknown; status: number; detail: string } | null> {
    try {
      const principal = await this.admit(request, reply);
      await this.sessions.open(principal.keyId, request, reply, QUEUE_DASHBOARD_PATH);
      return null;
    } catch (error) {
      const { status, detail } = this.problems.toProblem(error);
      return { error, status, detail };
    }
  }

  private page(reply: FastifyReply, status: number, message: string | null): FastifyReply {
    return reply
      .status(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(signInPage(QUEUE_DASHBOARD_SIGN_IN, message));
  }
}
