import { Injectable } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

export const STRIPE_WEBHOOK_PATH = '/v1/webhooks/stripe';

/**
 * The webhook's signature covers the exact bytes Stripe sent, so its route gets the raw body as a Buffer and parses
 * it only after verifying. Every other JSON route is parsed as before, with Fastify's own safe parser.
 */
@Injectable()
export class RawWebhookBody implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const json = fastify.getDefaultJsonParser('error', 'error');
    if (fastify.hasContentTypeParser('application/json')) fastify.removeContentTypeParser('application/json');
    fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
      if (request.url.split('?')[0] === STRIPE_WEBHOOK_PATH) {
        done(null, body);
        return;
      }
      void json(request, body.toString('utf8'), done);
    });
  }
}
