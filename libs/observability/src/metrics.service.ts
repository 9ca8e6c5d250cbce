import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

type DepthSource = () => Promise<Array<{ queue: string; state: string; count: number }>>;

/** The Prometheus registry of one app, with the metrics every layer shares. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly depthSources: DepthSource[] = [];

  readonly httpRequests = new Counter({
    name: 'revline_http_requests_total',
    help: 'HTTP requests by method, route and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'revline_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly jobs = new Counter({
    name: 'revline_jobs_total',
    help: 'Jobs handled, by queue, job name and outcome (completed, duplicate, retried, failed, parked, waiting)',
    labelNames: ['queue', 'job', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly jobDuration = new Histogram({
    name: 'revline_job_duration_seconds',
    help: 'Job handling duration',
    labelNames: ['queue', 'job'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly exceptions = new Counter({
    name: 'revline_exceptions_total',
    help: 'Business and exhausted-retry exceptions recorded, by category',
    labelNames: ['category'] as const,
    registers: [this.registry],
  });

  readonly outboxPublished = new Counter({
    name: 'revline_outbox_published_total',
    help: 'Outbox messages moved to their queue',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });

  readonly auditLogHead = new Gauge({
    name: 'revline_audit_log_head',
    help: 'The id of the last audit log row this app wrote, labelled with its hash: anchor it outside the database',
    labelNames: ['hash'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'revline_' });
    const sources = this.depthSources;
    new Gauge({
      name: 'revline_queue_depth',
      help: 'Jobs per queue and state',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const source of sources) {
          for (const { queue, state, count } of await source()) this.set({ queue, state }, count);
        }
      },
    });
  }

  addQueueDepthSource(source: DepthSource): void {
    this.depthSources.push(source);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
