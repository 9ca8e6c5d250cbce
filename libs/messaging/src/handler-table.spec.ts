import { describe, expect, it } from 'vitest';
import type { DiscoveredHandler } from './handler-table';
import { buildHandlerTable, HandlerRegistrationError } from './handler-table';
import type { JobName } from './registry';

const handler = (job: JobName, owner = 'H'): DiscoveredHandler => ({
  job,
  owner,
  fn: () => Promise.resolve(),
});
const erpEvents = [handler('erp.posted'), handler('erp.posted-many'), handler('erp.rejected')];

describe('buildHandlerTable', () => {
  it('pairs every consumed job with its handler', () => {
    const table = buildHandlerTable(['erp.events'], erpEvents);
    expect([...table.keys()].sort()).toEqual(['erp.posted', 'erp.posted-many', 'erp.rejected']);
  });

  it('fails when a consumed job has no handler', () => {
    expect(() =>
      buildHandlerTable(['erp.events'], [handler('erp.posted'), handler('erp.posted-many')]),
    ).toThrow(/erp.rejected \(queue erp.events\) has no handler/);
  });

  it('fails when a job has two handlers', () => {
    expect(() => buildHandlerTable(['erp.events'], [...erpEvents, handler('erp.posted', 'Other')])).toThrow(
      /erp.posted has two handlers: H and Other/,
    );
  });

  it('fails on a handler for a queue the app does not consume', () => {
    expect(() => buildHandlerTable([], [handler('erp.posted')])).toThrow(HandlerRegistrationError);
  });
});
