import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { Injectable } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiKeys, bearerToken, effectiveRoles } from '@revline/auth';
import { PROBLEM_CONTENT_TYPE, problem } from '@revline/http';
import { Queues } from '@revline/messaging';
import type { FastifyInstance } from 'fastify';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/** bull-board over every registry queue, for integration admins only. */
@Injectable()
export class QueueDashboard implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly queues: Queues,
    private readonly keys: ApiKeys,
  ) {}

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
        const token = bearerToken(request.headers.authorization);
        const principal = token ? await this.keys.authenticate(token) : null;
        if (!principal || !effectiveRoles(principal.roles).has('integration.admin')) {
          const status = principal ? 403 : 401;
          return reply
            .status(status)
            .header('content-type', PROBLEM_CONTENT_TYPE)
            .send(problem(status, 'The queue dashboard needs an integration.admin API key'));
        }
        return undefined;
      });
      await scope.register(serverAdapter.registerPlugin(), { prefix: QUEUE_DASHBOARD_PATH });
    });
  }
}
