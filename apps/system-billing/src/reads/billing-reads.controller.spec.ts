import type { BillingPort, InvoiceLineView } from '@revline/billing-port';
import { DomainError } from '@revline/http';
import type { FastifyReply } from 'fastify';
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { BillingReadsController } from './billing-reads.controller';

const line = (n: number): InvoiceLineView => ({
  invoiceId: `in_${String(n)}`,
  lineId: `il_${String(n)}`,
  customerId: 'cus_1',
  description: 'Seat',
  amount: { amountMinor: '1000', currency: 'USD' },
  taxMinor: '0',
  proration: false,
  priceId: 'price_1',
  quantity: 1,
  periodStart: '2027-03-01',
  periodEnd: '2027-04-01',
  issuedOn: '2027-03-01',
});

/** A response that records what is written, how it ended, and whether it was aborted. */
function fakeReply() {
  const raw = Object.assign(new EventEmitter(), {
    destroyed: false,
    body: '',
    ended: false,
    aborted: null as Error | null,
    writeHead: vi.fn(),
    write(chunk: string) {
      raw.body += chunk;
      return true;
    },
    end() {
      raw.ended = true;
    },
    destroy(error: Error) {
      raw.destroyed = true;
      raw.aborted = error;
    },
  });
  return { reply: { raw } as unknown as FastifyReply, raw };
}

function controllerExporting(pages: () => AsyncIterable<InvoiceLineView[]>): BillingReadsController {
  return new BillingReadsController({ exportInvoiceLines: pages } as unknown as BillingPort);
}

const query = {
  from: '2027-03-01',
  to: '2027-03-31',
  format: 'csv' as const,
  columns: 'invoiceId,amountMinor',
};

describe('the invoice-line export as it streams', () => {
  it('writes the asked columns page by page and ends', async () => {
    const { reply, raw } = fakeReply();
    await controllerExporting(async function* () {
      yield await Promise.resolve([line(1)]);
      yield [line(2)];
    }).exportInvoiceLines(query, {}, reply);
    expect(raw.body).toBe('\uFEFFinvoiceId,amountMinor\r\nin_1,1000\r\nin_2,1000\r\n');
    expect(raw.ended).toBe(true);
  });

  it('answers a failure before the first page as an error, with nothing sent', async () => {
    const { reply, raw } = fakeReply();
    const failing = controllerExporting(async function* () {
      yield await Promise.reject(new DomainError(502, 'Stripe refused', []));
    });
    await expect(failing.exportInvoiceLines(query, {}, reply)).rejects.toThrow('Stripe refused');
    expect(raw.writeHead).not.toHaveBeenCalled();
  });

  it('cuts the response short on a failure after the first page, so it never looks whole', async () => {
    const { reply, raw } = fakeReply();
    await controllerExporting(async function* () {
      yield await Promise.resolve([line(1)]);
      throw new Error('Sigma query run failed');
    }).exportInvoiceLines(query, { 'csv-dialect': 'rfc4180' }, reply);
    expect(raw.body).toBe('invoiceId,amountMinor\nin_1,1000\n');
    expect(raw.ended).toBe(false);
    expect(raw.aborted?.message).toBe('Sigma query run failed');
  });
});
