import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

type DepthSource = () => Promise<Array<{ queue: string; state: string; count: number }>>;

/**
 * The app's outbox backlog: rows overdue (unpublished past the backlog age, or unconfirmed past the re-drive window),
 * the age of the oldest unpublished, and the rows published and not yet confirmed by their consumer.
 */
export interface OutboxBacklog {
  count: number;
  oldestSeconds: number;
  unconfirmed: number;
}
type BacklogSource = () => Promise<OutboxBacklog>;

/** `revline_circuit_state` values, by the event of an opossum breaker that enters the state. */
const CIRCUIT_STATE = { close: 0, halfOpen: 1, open: 2 } as const;

/** The part of a circuit breaker (opossum's) that reports its state changes. */
export interface CircuitEvents {
  on(event: keyof typeof CIRCUIT_STATE, listener: () => void): unknown;
}

/** The Prometheus registry of one app, with the metrics every layer shares. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly depthSources: DepthSource[] = [];
  private backlogSource?: BacklogSource;

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

  readonly outboxConfirmed = new Counter({
    name: 'revline_outbox_confirmed_total',
    help: 'Outbox messages marked delivered, by how: a consumer receipt, or their job found completed or failed in Redis',
    labelNames: ['via'] as const,
    registers: [this.registry],
  });

  readonly outboxRedriven = new Counter({
    name: 'revline_outbox_redriven_total',
    help: 'Outbox messages queued again because Redis no longer held their unconfirmed job',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });

  readonly retentionPruned = new Counter({
    name: 'revline_retention_pruned_rows_total',
    help: 'Rows deleted by retention, by table',
    labelNames: ['table'] as const,
    registers: [this.registry],
  });

  readonly auditLogHead = new Gauge({
    name: 'revline_audit_log_head',
    help: 'The id of the last audit log row this app wrote, labelled with its hash: anchor it outside the database',
    labelNames: ['hash'] as const,
    registers: [this.registry],
  });

  readonly circuitState = new Gauge({
    name: 'revline_circuit_state',
    help: 'Circuit breaker state per connection: 0 closed, 1 half-open, 2 open',
    labelNames: ['connection'] as const,
    registers: [this.registry],
  });

  readonly auditVerified = new Gauge({
    name: 'revline_audit_verification_timestamp_seconds',
    help: 'When this instance last verified the audit chain with each result (intact, broken), in Unix seconds',
    labelNames: ['result'] as const,
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
    this.registerBacklogGauges();
  }

  /** The backlog gauges from one query a scrape: all collect while the first read is in flight and share it. */
  private registerBacklogGauges(): void {
    let pending: Promise<OutboxBacklog> | undefined;
    const sample = (): Promise<OutboxBacklog> | undefined => {
      if (!this.backlogSource) return undefined;
      pending ??= this.backlogSource().finally(() => {
        pending = undefined;
      });
      return pending;
    };
    const gauge = (name: string, help: string, pick: (backlog: OutboxBacklog) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        async collect() {
          const backlog = await sample();
          if (backlog) this.set(pick(backlog));
        },
      });
    gauge(
      'revline_outbox_backlog',
      'Outbox rows unpublished for over OUTBOX_BACKLOG_AGE_SECONDS, or unconfirmed and unchecked for over that and OUTBOX_REDELIVER_AFTER_SECONDS',
      (b) => b.count,
    );
    gauge(
      'revline_outbox_unconfirmed',
      'Outbox rows published and not yet confirmed applied by their consumer',
      (b) => b.unconfirmed,
    );
    gauge(
      'revline_outbox_oldest_unpublished_seconds',
      'Age of the oldest unpublished outbox row in seconds, 0 when none',
      (b) => b.oldestSeconds,
    );
  }

  /** Follows a breaker in `revline_circuit_state{connection}`: closed until it opens. */
  trackCircuit(connection: string, breaker: CircuitEvents): void {
    this.circuitState.set({ connection }, CIRCUIT_STATE.close);
    for (const [event, value] of Object.entries(CIRCUIT_STATE)) {
      breaker.on(event as keyof typeof CIRCUIT_STATE, () => {
        this.circuitState.set({ connection }, value);
      });
    }
  }

  /** The outbox backlog gauges read the source at each scrape; an app with no outbox reports 0. */
  setOutboxBacklogSource(source: BacklogSource): void {
    this.backlogSource = source;
  }

  addQueueDepthSource(source: DepthSource): void {
    this.depthSources.push(source);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
