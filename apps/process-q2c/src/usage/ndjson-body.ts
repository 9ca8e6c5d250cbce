import { Injectable } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

/** JSON lines bodies (`application/x-ndjson`, `application/jsonl`) reach the usage route as text, split there. */
export const JSON_LINES_TYPES = ['application/x-ndjson', 'application/jsonl'];

@Injectable()
export class JsonLinesBody implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    for (const type of JSON_LINES_TYPES) {
      if (fastify.hasContentTypeParser(type)) continue;
      fastify.addContentTypeParser(type, { parseAs: 'string' }, (_request, body, done) => {
        done(null, body);
      });
    }
  }
}
