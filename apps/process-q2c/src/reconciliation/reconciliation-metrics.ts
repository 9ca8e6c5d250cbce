import { Injectable } from '@nestjs/common';
import { MetricsService } from '@revline/observability';
import { Counter, Gauge } from 'prom-client';
import { DataSource } from 'typeorm';

/** Breaks by checkpoint and category: opened (a counter) and open now (a gauge read from the table at scrape). */
@Injectable()
export class ReconciliationMetrics {
  readonly opened: Counter<'checkpoint' | 'category'>;

  constructor(metrics: MetricsService, dataSource: DataSource) {
    this.opened = new Counter({
      name: 'revline_reconciliation_breaks_opened_total',
      help: 'Reconciliation breaks opened, by checkpoint and category',
      labelNames: ['checkpoint', 'category'] as const,
      registers: [metrics.registry],
    });
    new Gauge({
      name: 'revline_reconciliation_breaks_open',
      help: 'Reconciliation breaks open now, by checkpoint and category',
      labelNames: ['checkpoint', 'category'] as const,
      registers: [metrics.registry],
      async collect() {
        const rows = await dataSource.query<Array<{ checkpoint: string; category: string; n: number }>>(
          `SELECT "checkpoint", "category", count(*)::int AS n FROM "q2c"."reconciliation_breaks"
            WHERE "status" = 'open' GROUP BY 1, 2`,
        );
        this.reset();
        for (const r of rows) this.set({ checkpoint: r.checkpoint, category: r.category }, r.n);
      },
    });
  }
}
