import { describe, expect, it } from 'vitest';
import type { Invoice } from '../state/types';
import { EMBEDDED_LINES, eventObject, invoiceAnswer } from './includable';

const invoice = (lines: number) =>
  ({
    id: 'in_1',
    object: 'invoice',
    lines: {
      object: 'list',
      data: Array.from({ length: lines }, (_, i) => ({ id: `il_${i}` })),
      has_more: false,
      url: '/v1/invoices/in_1/lines',
      total_count: lines,
    },
    payments: { object: 'list', data: [{ id: 'inpay_1' }], has_more: false, url: '/v1/invoice_payments' },
  }) as unknown as Invoice;

describe('invoice answers as Stripe gives them', () => {
  it('shows the first lines inline with has_more, leaving the stored invoice whole', () => {
    const stored = invoice(EMBEDDED_LINES + 2);
    const answer = invoiceAnswer(stored, []);
    expect(answer.lines.data.map((l) => l.id)).toEqual(
      stored.lines.data.slice(0, EMBEDDED_LINES).map((l) => l.id),
    );
    expect([answer.lines.has_more, answer.lines.total_count]).toEqual([true, EMBEDDED_LINES + 2]);
    expect(stored.lines.data).toHaveLength(EMBEDDED_LINES + 2);
    expect(invoiceAnswer(invoice(3), []).lines.has_more).toBe(false);
  });

  it('includes payments only when expand[]=payments asks, and never in an event', () => {
    expect('payments' in invoiceAnswer(invoice(1), [])).toBe(false);
    expect(invoiceAnswer(invoice(1), ['payments']).payments?.data).toEqual([{ id: 'inpay_1' }]);
    expect('payments' in eventObject(invoice(1) as unknown as Record<string, unknown>)).toBe(false);
    expect(invoice(1).payments.data).toHaveLength(1);
  });
});
