// The load: a steady stream of bookings and amendments, made in Salesforce as sales make them (jsforce; CPQ's
// Contract and Amend buttons through the sandbox's admin routes), each recorded as a change the suite later looks
// for in the vendors' own records.
import { sleep } from './infra.mjs';

/** Annual list price of a seat (100 USD a month), as the demo quotes it. */
const SEAT_PRICE = 1200;
export const BOOKING = { quantity: 10, invoiceMinor: 1_200_000 };
/** 5 more seats from 2026-03-15 to the end of the 2026 term: 5 × 1,200.00 × 292/365 days. */
export const EXPANSION = { quantity: 15, invoiceMinor: 480_000, effectiveDate: '2026-03-15' };

function idOf(result) {
  const one = Array.isArray(result) ? result[0] : result;
  if (!one?.success) throw new Error(`Salesforce refused the save: ${JSON.stringify(result)}`);
  return one.id;
}

export class Load {
  /** `sandbox(path, body)` posts to the Salesforce sandbox's admin routes; `linked(contractId)` asks Revline's db. */
  constructor({ sf, sandbox, linked }) {
    Object.assign(this, { sf, sandbox, linked });
    this.changes = [];
    /** Bookings that landed, whose CPQ contract exists, not yet amended. */
    this.amendable = [];
    this.errors = [];
  }

  async setUp(accounts = 4) {
    this.pricebook = (await this.sf.query('SELECT Id FROM Pricebook2 WHERE IsStandard = true')).records[0].Id;
    const product = idOf(
      await this.sf.sobject('Product2').create({
        Name: 'Seats',
        ProductCode: 'SEAT',
        SBQQ__ChargeType__c: 'Recurring',
        SBQQ__BillingFrequency__c: 'Annual',
      }),
    );
    this.seatEntry = idOf(
      await this.sf
        .sobject('PricebookEntry')
        .create({ Pricebook2Id: this.pricebook, Product2Id: product, UnitPrice: SEAT_PRICE }),
    );
    this.accounts = [];
    for (let i = 1; i <= accounts; i++)
      this.accounts.push(
        idOf(await this.sf.sobject('Account').create({ Name: `Chaos Corp ${i}`, CurrencyIsoCode: 'USD' })),
      );
  }

  async book(phase, accountId = this.accounts[this.changes.length % this.accounts.length]) {
    const orderId = idOf(
      await this.sf.sobject('Order').create({
        AccountId: accountId,
        Pricebook2Id: this.pricebook,
        EffectiveDate: '2026-01-01',
        EndDate: '2026-12-31',
        Status: 'Draft',
        CurrencyIsoCode: 'USD',
      }),
    );
    const seatLineId = idOf(
      await this.sf.sobject('OrderItem').create({
        OrderId: orderId,
        PricebookEntryId: this.seatEntry,
        Quantity: BOOKING.quantity,
        UnitPrice: SEAT_PRICE,
        ServiceDate: '2026-01-01',
        EndDate: '2026-12-31',
        SBQQ__ChargeType__c: 'Recurring',
        SBQQ__BillingFrequency__c: 'Annual',
      }),
    );
    const change = { kind: 'booking', phase, orderId, contractOrderId: orderId, seatLineId, at: Date.now() };
    idOf(await this.sf.sobject('Order').update({ Id: orderId, Status: 'Activated' }));
    this.changes.push(change);
    return change;
  }

  /** CPQ's Contract button on landed bookings, so later phases can amend them (once Revline has linked it). */
  async contract(bookings) {
    for (const booking of bookings) {
      const { contractId } = await this.sandbox('cpq/contracts', {
        orderId: booking.orderId,
        termMonths: 12,
      });
      booking.salesforceContractId = contractId;
    }
    const deadline = Date.now() + 30_000;
    for (const booking of bookings) {
      while (!(await this.linked(booking.salesforceContractId).catch(() => false)) && Date.now() < deadline)
        await sleep(250);
      if (Date.now() < deadline) this.amendable.push(booking);
    }
  }

  async amend(phase, booking) {
    const { orderId } = await this.sandbox('cpq/amendments', {
      contractId: booking.salesforceContractId,
      effectiveDate: EXPANSION.effectiveDate,
      changes: [{ orderItemId: booking.seatLineId, quantity: EXPANSION.quantity }],
    });
    const change = { kind: 'expansion', phase, orderId, contractOrderId: booking.orderId, at: Date.now() };
    idOf(await this.sf.sobject('Order').update({ Id: orderId, Status: 'Activated' }));
    this.changes.push(change);
    return change;
  }

  /**
   * Changes at `perSecond` (a third of them amendments while there are bookings to amend), at most `inFlight` at
   * once, until the returned function is called; it resolves when the last change made is in Salesforce.
   */
  stream(phase, { perSecond = 1.5, inFlight = 4 } = {}) {
    let running = true;
    const pending = new Set();
    let n = 0;
    const loop = (async () => {
      while (running) {
        if (pending.size < inFlight) {
          n += 1;
          const booking = n % 3 === 0 ? this.amendable.shift() : undefined;
          const made = (booking ? this.amend(phase, booking) : this.book(phase)).catch((error) => {
            this.errors.push(`${phase}: ${error.message}`);
          });
          pending.add(made);
          void made.finally(() => pending.delete(made));
        }
        await sleep(1000 / perSecond);
      }
      await Promise.all(pending);
    })();
    return async () => {
      running = false;
      await loop;
    };
  }
}
