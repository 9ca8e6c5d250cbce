import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { ForbiddenException, Injectable } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiKeys, authenticateRequest, effectiveRoles } from '@revline/auth';
import {
  consumeRateLimit,
  PROBLEM_CONTENT_TYPE,
  ProblemDetailsFilter,
  setProblemHeaders,
} from '@revline/http';
import { Queues } from '@revline/messaging';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/** bull-board over every registry queue, for integration admins only. */
@Injectable()
export class QueueDashboard implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly queues: Queues,
    private readonly keys: ApiKeys,
  ) {}

  private readonly problems = new ProblemDetailsFilter();

  async onModuleInit(): Promise<void> {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const serverAdapter = new FastifyAdapter();
    serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
    createBullBoard({
      queues: (await this.queues.all()).map((queue) => new BullMQAdapter(queue, { readOnlyMode: false })),
      serverAdapter,
    });
    await fastify.register(async (scope) => {
      scope.addHook('onRequest', async (request, reply) => {
        try {
          await this.admit(request, reply);
          return undefined;
        } catch (error) {
          // Answered here: bull-board's own error handler would make any refusal a 500.
          const body = this.problems.toProblem(error);
          setProblemHeaders(reply, error, body.status);
          return reply.status(body.status).header('content-type', PROBLEM_CONTENT_TYPE).send(body);
        }
      });
      await scope.register(serverAdapter.registerPlugin(), { prefix: QUEUE_DASHBOARD_PATH });
    });
  }

  /** An integration admin's key, counted in the rate limits as on every route; a 401, 403 or 429 otherwise. */
  private async admit(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const principal = await authenticateRequest(this.keys, request);
    await consumeRateLimit(request, 'key', principal.keyId, reply);
    if (!effectiveRoles(principal.roles).has('integration.admin'))
      throw new ForbiddenException('The queue dashboard needs an integration.admin API key');
  }
}
