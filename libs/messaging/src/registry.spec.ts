import { describe, expect, it } from 'vitest';
import { isJobName, jobsOf, QUEUES, queueOf } from './registry';

describe('job registry', () => {
  it('names every queue of the design', () => {
    expect(Object.keys(QUEUES).sort()).toEqual(
      [
        'billing.commands',
        'billing.events',
        'crm.changes',
        'crm.commands',
        'crm.events',
        'erp.commands',
        'erp.events',
        'q2c.scheduled',
        'system.exceptions',
      ].sort(),
    );
  });

  it('puts every job in exactly one queue', () => {
    const all = Object.values(QUEUES).flatMap((q) => q.jobs);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(34);
    for (const job of all) expect(jobsOf(queueOf(job))).toContain(job);
  });

  it('knows job names from strangers', () => {
    expect(isJobName('erp.post-invoice')).toBe(true);
    expect(isJobName('erp.post-invoices')).toBe(false);
  });
});
