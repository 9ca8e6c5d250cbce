import type { Type } from '@nestjs/common';
import type { HttpAppSpec } from '@revline/http';
import { MetricsService } from '@revline/observability';
import { runMigrations } from '@revline/persistence';
import { appDataSourceOptions } from '@revline/platform';
import type { TestApp, TestDatabase } from '@revline/testing';
import { bearer, createTestApp, createTestDatabase, seedApiKey } from '@revline/testing';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule as ExperienceModule } from '../apps/experience-finance/src/app.module';
import { APP as EXPERIENCE_APP } from '../apps/experience-finance/src/app.info';
import { DATABASE as EXPERIENCE } from '../apps/experience-finance/src/database';
import { AppModule as Q2cModule } from '../apps/process-q2c/src/app.module';
import { APP as Q2C_APP } from '../apps/process-q2c/src/app.info';
import { DATABASE as Q2C } from '../apps/process-q2c/src/database';
import { AppModule as BillingModule } from '../apps/system-billing/src/app.module';
import { APP as BILLING_APP } from '../apps/system-billing/src/app.info';
import { DATABASE as BILLING } from '../apps/system-billing/src/database';
import { AppModule as ErpModule } from '../apps/system-erp/src/app.module';
import { APP as ERP_APP } from '../apps/system-erp/src/app.info';
import { DATABASE as ERP } from '../apps/system-erp/src/database';
import { AppModule as SalesforceModule } from '../apps/system-salesforce/src/app.module';
import { APP as SALESFORCE_APP } from '../apps/system-salesforce/src/app.info';
import { DATABASE as SALESFORCE } from '../apps/system-salesforce/src/database';

const DEPLOY = join(__dirname, '..', 'deploy');
const METRIC = /\brevline_[a-z0-9_]+/g;
/** The series a histogram or summary exposes besides its name. */
const SUFFIXES: Record<string, string[]> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['_sum', '_count'],
};

const Q2C_ENV = { OUTBOX_RELAY: 'off', OUTBOX_BACKLOG_AGE_SECONDS: '60', OUTBOX_BACKLOG_READY_MAX: '1' };

interface AlertRule {
  alert: string;
  expr: string;
  labels: { severity: string };
  annotations: { summary: string };
}

function alertRules(): AlertRule[] {
  const file = parse(readFileSync(join(DEPLOY, 'prometheus', 'alerts.yml'), 'utf8')) as {
    groups: Array<{ name: string; rules: AlertRule[] }>;
  };
  return file.groups.flatMap((group) => group.rules);
}

function dashboardExprs(): string[] {
  const dashboard = JSON.parse(readFileSync(join(DEPLOY, 'grafana', 'revline.json'), 'utf8')) as {
    uid: string;
    panels: Array<{ title: string; targets: Array<{ expr: string; refId: string }> }>;
  };
  expect(dashboard.uid).toBe('revline-operations');
  return dashboard.panels.flatMap((panel) => {
    expect(panel.targets.length, panel.title).toBeGreaterThan(0);
    return panel.targets.map((target) => target.expr);
  });
}

/** The metric names an expression reads that no app exposes. */
function unknownMetrics(expr: string, exposed: ReadonlySet<string>): string[] {
  return [...expr.matchAll(METRIC)].map(([name]) => name).filter((name) => !exposed.has(name));
}

/** Every series name an app's registry can expose, histograms with their suffixes. */
function exposedNames(app: TestApp): string[] {
  const metrics = app.app.get(MetricsService, { strict: false }).registry.getMetricsAsArray();
  return metrics.flatMap((metric) => {
    const { name, type } = metric as unknown as { name: string; type: string };
    return [name, ...(SUFFIXES[type] ?? []).map((suffix) => `${name}${suffix}`)];
  });
}

async function redisHasAof(): Promise<boolean> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    return /^aof_enabled:1/m.test(await redis.info('persistence'));
  } finally {
    redis.disconnect();
  }
}

describe('Prometheus alerts and the Grafana dashboard name only metrics the apps register', () => {
  let db: TestDatabase;
  const apps = new Map<string, TestApp>();
  let exposed: Set<string>;
  let viewer: string;

  /** The HTTP server of a booted app, for supertest. */
  const server = (name: string) => {
    const booted = apps.get(name);
    if (!booted) throw new Error(`${name} did not boot`);
    return booted.app.getHttpServer();
  };

  const boot = async (name: string, module: Type, spec: HttpAppSpec, env: Record<string, string> = {}) => {
    apps.set(name, await createTestApp(module, spec, env));
  };

  beforeAll(async () => {
    db = await createTestDatabase(EXPERIENCE);
    for (const database of [Q2C, SALESFORCE, BILLING, ERP])
      await runMigrations(appDataSourceOptions(database, db.url));
    await boot('experience-finance', ExperienceModule, EXPERIENCE_APP);
    await boot('system-salesforce', SalesforceModule, SALESFORCE_APP, {
      SALESFORCE_CAPTURE_ENABLED: 'false',
    });
    await boot('system-billing', BillingModule, BILLING_APP);
    await boot('system-erp', ErpModule, ERP_APP);
    // process-q2c last, with its relay off and a tight backlog threshold for the readiness checks below.
    await boot('process-q2c', Q2cModule, Q2C_APP, Q2C_ENV);
    exposed = new Set([...apps.values()].flatMap(exposedNames));
    viewer = await seedApiKey(db.dataSource, ['finance.viewer']);
  });

  afterAll(async () => {
    for (const app of apps.values()) await app.close();
    for (const variable of [...Object.keys(Q2C_ENV), 'SALESFORCE_CAPTURE_ENABLED'])
      Reflect.deleteProperty(process.env, variable);
    await db.drop();
  });

  it('every alert rule is well formed and reads only registered metrics', () => {
    const rules = alertRules();
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        'RevlineOutboxBacklog',
        'RevlineExceptionsParked',
        'RevlineSagaSlaBreached',
        'RevlineCircuitOpen',
        'RevlineReconciliationBreaksOpened',
        'RevlineAuditChainBroken',
      ]),
    );
    for (const rule of rules) {
      expect(rule.expr.match(METRIC)?.length, rule.alert).toBeGreaterThan(0);
      expect(['critical', 'warning', 'info'], rule.alert).toContain(rule.labels.severity);
      expect(rule.annotations.summary, rule.alert).toEqual(expect.any(String));
      expect(unknownMetrics(rule.expr, exposed), rule.alert).toEqual([]);
    }
  });

  it('every dashboard query reads only registered metrics', () => {
    const exprs = dashboardExprs();
    expect(exprs.length).toBeGreaterThan(10);
    for (const expr of exprs) expect(unknownMetrics(expr, exposed), expr).toEqual([]);
  });

  it('the check flags a metric no app registers, and a histogram series only where the histogram exists', () => {
    expect(unknownMetrics('rate(revline_outbox_publishd_total[5m])', exposed)).toEqual([
      'revline_outbox_publishd_total',
    ]);
    expect(unknownMetrics('revline_job_duration_seconds_bucket', exposed)).toEqual([]);
    expect(unknownMetrics('revline_outbox_backlog_bucket', exposed)).toEqual([
      'revline_outbox_backlog_bucket',
    ]);
  });

  it('each system API reports its circuit state, closed at start', async () => {
    const scrape = async (app: string) =>
      (await request(server(app)).get('/metrics').set(bearer(viewer)).expect(200)).text;
    expect(await scrape('system-erp')).toMatch(/^revline_circuit_state\{connection="netsuite:[^"]+"\} 0$/m);
    expect(await scrape('system-billing')).toMatch(/^revline_circuit_state\{connection="stripe"\} 0$/m);
  });

  describe('process-q2c readiness and the backlog gauge', () => {
    const q2c = () => server('process-q2c');
    const insertOutbox = (ageSeconds: number) =>
      db.dataSource.query(
        `INSERT INTO "q2c"."outbox" ("message_id", "queue", "job", "idempotency_key", "envelope", "created_at")
         VALUES ($1::uuid, 'crm.changes', 'crm.record-changed', $1::text, '{}'::jsonb, now() - make_interval(secs => $2))`,
        [randomUUID(), ageSeconds],
      );

    it('reports Redis persistence (AOF, RDB or not durable) without going down for it', async () => {
      const res = await request(q2c()).get('/health').expect(200);
      const redis = res.body.details.redis as { status: string; persistence: { mode: string } };
      expect(redis.status).toBe('up');
      const mode = redis.persistence.mode;
      if (await redisHasAof()) expect(mode).toBe('aof');
      else expect(['rdb', 'not durable']).toContain(mode);
      expect(res.body.details.outbox).toMatchObject({ status: 'up', backlog: 0, backlogMax: 1 });
    });

    it('counts unpublished rows older than the backlog age and unconfirmed rows the re-drive is behind on; degraded beyond the threshold', async () => {
      await insertOutbox(5); // recent: not backlog
      await insertOutbox(3_600);
      const metrics = async () => (await request(q2c()).get('/metrics').set(bearer(viewer)).expect(200)).text;
      expect(await metrics()).toMatch(/^revline_outbox_backlog 1$/m);
      const up = await request(q2c()).get('/health').expect(200);
      expect(up.body.details.outbox).toMatchObject({
        status: 'up',
        backlog: 1,
        backlogMax: 1,
        olderThanSeconds: 60,
      });

      await insertOutbox(7_200);
      const text = await metrics();
      expect(text).toMatch(/^revline_outbox_backlog 2$/m);
      const oldest = Number(/^revline_outbox_oldest_unpublished_seconds (\S+)$/m.exec(text)?.[1]);
      expect(oldest).toBeGreaterThanOrEqual(7_200);
      expect(oldest).toBeLessThan(7_300);
      const down = await request(q2c()).get('/health').expect(503);
      // A public route: the 503 is a bare problem; the details are in the app's log.
      expect(down.body).toMatchObject({ status: 503, instance: '/health' });

      await db.dataSource.query(`UPDATE "q2c"."outbox" SET "published_at" = now()`);
      await request(q2c()).get('/health').expect(200);
      const published = await metrics();
      expect(published).toMatch(/^revline_outbox_backlog 0$/m);
      expect(published).toMatch(/^revline_outbox_unconfirmed 3$/m);

      // Published, unconfirmed and unchecked past the re-drive window and the backlog age: the re-drive is behind.
      await db.dataSource.query(`UPDATE "q2c"."outbox" SET "published_at" = now() - interval '1 hour'`);
      expect(await metrics()).toMatch(/^revline_outbox_backlog 3$/m);
      await request(q2c()).get('/health').expect(503);

      await db.dataSource.query(`UPDATE "q2c"."outbox" SET "delivered_at" = now()`);
      await request(q2c()).get('/health').expect(200);
      const delivered = await metrics();
      expect(delivered).toMatch(/^revline_outbox_backlog 0$/m);
      expect(delivered).toMatch(/^revline_outbox_unconfirmed 0$/m);
    });
  });
});
