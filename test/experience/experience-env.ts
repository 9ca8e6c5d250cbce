import { runMigrations } from '@revline/persistence';
import { appDataSourceOptions } from '@revline/platform';
import type { TestApp } from '@revline/testing';
import { createTestApp, seedApiKey } from '@revline/testing';
import { randomBytes } from 'node:crypto';
import { AppModule as ExperienceModule } from '../../apps/experience-finance/src/app.module';
import { APP as EXPERIENCE_APP } from '../../apps/experience-finance/src/app.info';
import { DATABASE as EXPERIENCE } from '../../apps/experience-finance/src/database';
import type { Q2cEnv } from '../q2c/q2c-env';
import { startQ2cEnv } from '../q2c/q2c-env';

/** The quote-to-cash stage with experience-finance in front of process-q2c, and a viewer and an operator key. */
export interface ExperienceEnv {
  q2cEnv: Q2cEnv;
  experience: TestApp;
  viewer: string;
  operator: string;
  /** Another experience-finance on the same database with other settings (process-q2c down, no service key…). */
  another(env: Record<string, string | undefined>): Promise<TestApp>;
  close(): Promise<void>;
}

export async function startExperienceEnv(): Promise<ExperienceEnv> {
  // No nightly reconciliation job: its delayed job in q2c.scheduled would keep settle() from ever seeing idle queues.
  const q2cEnv = await startQ2cEnv({ RECONCILIATION_CRON: 'off' });
  await runMigrations(appDataSourceOptions(EXPERIENCE, q2cEnv.db.url));
  const extra: TestApp[] = [];
  const serviceKey = `rvl_svc_${randomBytes(24).toString('base64url')}`;
  const boot = async (env: Record<string, string | undefined>): Promise<TestApp> => {
    const base: Record<string, string | undefined> = {
      DATABASE_URL: q2cEnv.db.url,
      PROCESS_Q2C_URL: q2cEnv.q2c.url,
      PROCESS_Q2C_API_KEY: serviceKey,
      PROCESS_Q2C_RETRY_BACKOFF_MS: '10',
      ...env,
    };
    const set: Record<string, string> = {};
    for (const [name, value] of Object.entries(base)) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else set[name] = value;
    }
    return createTestApp(ExperienceModule, EXPERIENCE_APP, set);
  };
  const experience = await boot({});
  return {
    q2cEnv,
    experience,
    viewer: await seedApiKey(q2cEnv.db.dataSource, ['finance.viewer'], 'reporting'),
    operator: await seedApiKey(q2cEnv.db.dataSource, ['finance.operator'], 'close team'),
    async another(env) {
      const app = await boot(env);
      extra.push(app);
      return app;
    },
    async close() {
      for (const app of extra) await app.close();
      await experience.close();
      await q2cEnv.close();
    },
  };
}
