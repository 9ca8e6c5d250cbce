import { describe, expect, it } from 'vitest';
import { SandboxClock } from './clock';
import { ADMIN_USER_ID, OrgStore } from './org-store';

const ctx = { userId: ADMIN_USER_ID, changeOrigin: 'com/salesforce/api/rest/60.0' };
const INVOICE = 'Revline_Billing_Invoice__c';
const KEY = 'Revline_Invoice_Id__c';

function createInvoice(store: OrgStore, key: string): string {
  const tx = store.begin(ctx);
  const id = tx.create(INVOICE, { [KEY]: key, Revline_Status__c: 'Open' });
  store.commit(tx);
  return id;
}

function live(store: OrgStore, key: string): string[] {
  return store
    .begin(ctx)
    .withValue(INVOICE, KEY, key)
    .map((r) => r.values.Id as string);
}

describe('OrgStore.withValue (the index of a field by value)', () => {
  it('finds records written before and after the index was first used, and follows a changed value', () => {
    const store = new OrgStore(new SandboxClock());
    const first = createInvoice(store, 'in_1');
    expect(live(store, 'in_1')).toEqual([first]);
    const second = createInvoice(store, 'in_2');
    expect(live(store, 'in_2')).toEqual([second]);

    const tx = store.begin(ctx);
    tx.update(INVOICE, second, { [KEY]: 'in_3' });
    store.commit(tx);
    expect(live(store, 'in_2')).toEqual([]);
    expect(live(store, 'in_3')).toEqual([second]);
  });

  it('sees what a transaction staged, and no deleted record', () => {
    const store = new OrgStore(new SandboxClock());
    const id = createInvoice(store, 'in_1');
    const tx = store.begin(ctx);
    tx.delete(id);
    expect(tx.withValue(INVOICE, KEY, 'in_1')).toEqual([]);
    const staged = tx.create(INVOICE, { [KEY]: 'in_9' });
    expect(tx.withValue(INVOICE, KEY, 'in_9').map((r) => r.values.Id)).toEqual([staged]);
    expect(live(store, 'in_9')).toEqual([]);
  });

  it('refuses a second invoice with the same Revline invoice id, in the same transaction too', () => {
    const store = new OrgStore(new SandboxClock());
    createInvoice(store, 'in_1');
    expect(() => createInvoice(store, 'in_1')).toThrow(/DUPLICATE_VALUE|duplicate value/);
    const tx = store.begin(ctx);
    tx.create(INVOICE, { [KEY]: 'in_2' });
    expect(() => tx.create(INVOICE, { [KEY]: 'in_2' })).toThrow(/duplicate value/);
  });

  it('starts again empty after a reset', () => {
    const store = new OrgStore(new SandboxClock());
    createInvoice(store, 'in_1');
    expect(live(store, 'in_1')).toHaveLength(1);
    store.reset();
    expect(live(store, 'in_1')).toEqual([]);
  });
});
