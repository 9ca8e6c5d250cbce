import { Injectable } from '@nestjs/common';
import { MetricsService } from '@revline/observability';
import { Histogram } from 'prom-client';

/** Sync latency per saga: Salesforce commit → the last ERP posting confirmed, by kind of change. */
@Injectable()
export class SyncLatencyMetric {
  readonly histogram: Histogram<'kind'>;

  constructor(metrics: MetricsService) {
    const existing = metrics.registry.getSingleMetric('revline_q2c_sync_latency_seconds');
    this.histogram =
      (existing as Histogram<'kind'> | undefined) ??
      new Histogram({
        name: 'revline_q2c_sync_latency_seconds',
        help: 'Salesforce commit to the last ERP posting of a contract change, per saga',
        labelNames: ['kind'],
        buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600],
        registers: [metrics.registry],
      });
  }

  observe(kind: string, seconds: number): void {
    this.histogram.observe({ kind }, Math.max(0, seconds));
  }
}
