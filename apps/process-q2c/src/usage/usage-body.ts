import { Injectable } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { CSV_TYPE, JSON_LINES_TYPES } from './usage-source';

/**
 * JSON lines (`application/x-ndjson`, `application/jsonl`) and CSV (`text/csv`) bodies reach the usage route as the
 * request's stream, unread, whatever their size (Fastify's body limit applies to bodies it reads): the route reads
 * them line by line as they arrive.
 */
@Injectable()
export class StreamedUsageBody implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    for (const type of [...JSON_LINES_TYPES, CSV_TYPE]) {
      if (fastify.hasContentTypeParser(type)) continue;
      fastify.addContentTypeParser(type, (_request, payload, done) => {
        done(null, payload);
      });
    }
  }
}
