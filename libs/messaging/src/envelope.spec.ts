import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEnvelope, deploymentTenant, envelopeProblem } from './envelope';

describe('the tenant of a deployment (one deployment per company)', () => {
  beforeAll(() => {
    vi.stubEnv('TENANT_ID', 'acme-corp');
  });

  afterAll(() => {
    vi.unstubAllEnvs();
  });

  const envelope = () =>
    createEnvelope('q2c.reconcile', { period: '2026-03' } as never, {
      idempotencyKey: 'reconcile:2026-03',
      occurredAt: new Date('2026-03-31T23:00:00Z'),
    });

  it('stamps every envelope with TENANT_ID', () => {
    expect(deploymentTenant()).toBe('acme-corp');
    expect(envelope().tenantId).toBe('acme-corp');
    expect(envelopeProblem(envelope())).toBeUndefined();
  });

  it('refuses a job of another tenant before any handler sees it', () => {
    expect(envelopeProblem({ ...envelope(), tenantId: 'default' })).toBe(
      "tenantId default is not this deployment's (acme-corp)",
    );
  });
});
