import { Injectable } from '@nestjs/common';
import { StripeApiError } from '../http/stripe-error';
import { StripeStore, stripeId } from '../state/store';
import type { CreditNote, CreditNoteLine } from '../state/types';

export interface CreditNoteLineInput {
  type: 'invoice_line_item' | 'custom_line_item';
  invoiceLineItem?: string;
  amount?: number;
  quantity?: number;
  unitAmount?: number;
  description?: string;
}

/** Credit notes: before payment they lower what is due, after payment they credit the customer's balance. */
@Injectable()
export class CreditNotes {
  constructor(private readonly store: StripeStore) {}

  create(input: {
    invoice: string;
    lines: CreditNoteLineInput[];
    amount?: number;
    reason: string | null;
    memo: string | null;
    metadata: Record<string, string>;
    refundAmount?: number;
    outOfBandAmount?: number;
  }): CreditNote {
    const invoice = this.store.invoices.get(input.invoice);
    if (!invoice) throw StripeApiError.noSuch('invoice', input.invoice, 'invoice');
    if (invoice.status !== 'open' && invoice.status !== 'paid')
      throw StripeApiError.state(
        `You can only create a credit note for an open or paid invoice; this one is ${invoice.status}.`,
        'invoice',
      );
    const lines: CreditNoteLine[] = input.lines.map((line, i) => {
      if (line.type === 'invoice_line_item') {
        const source = invoice.lines.data.find((l) => l.id === line.invoiceLineItem);
        if (!source)
          throw StripeApiError.noSuch(
            'invoice line item',
            line.invoiceLineItem ?? '',
            `lines[${i}][invoice_line_item]`,
          );
        const amount =
          line.amount ??
          (line.quantity !== undefined && source.quantity
            ? Math.round((source.amount * line.quantity) / source.quantity)
            : source.amount);
        return this.line(
          amount,
          source.description,
          source.id,
          line.quantity ?? null,
          null,
          'invoice_line_item',
        );
      }
      const amount = (line.unitAmount ?? 0) * (line.quantity ?? 1);
      return this.line(
        amount,
        line.description ?? 'Credit',
        null,
        line.quantity ?? 1,
        line.unitAmount ?? null,
        'custom_line_item',
      );
    });
    const total = lines.length > 0 ? lines.reduce((s, l) => s + l.amount, 0) : (input.amount ?? 0);
    if (total <= 0) throw StripeApiError.invalid('lines', 'The credit note total must be greater than zero.');
    const credited = [...this.store.creditNotes.values()]
      .filter((c) => c.invoice === invoice.id && c.status === 'issued')
      .reduce((s, c) => s + c.total, 0);
    if (credited + total > invoice.total)
      throw StripeApiError.invalid(
        'amount',
        `The sum of credit amount, refund amount and out of band amount (${total}) must be less than or equal to the invoice's remaining creditable amount (${invoice.total - credited}).`,
      );
    const at = this.store.nowFor(invoice.customer);
    const pre = invoice.status === 'open';
    const id = stripeId('cn');
    const note: CreditNote = {
      id,
      object: 'credit_note',
      created: at,
      livemode: false,
      invoice: invoice.id,
      customer: invoice.customer,
      currency: invoice.currency,
      amount: total,
      subtotal: total,
      total,
      number: this.store.nextCreditNoteNumber(),
      status: 'issued',
      type: pre ? 'pre_payment' : 'post_payment',
      reason: input.reason,
      memo: input.memo,
      credit_amount: pre ? null : total - (input.refundAmount ?? 0) - (input.outOfBandAmount ?? 0),
      refund_amount: input.refundAmount ?? null,
      out_of_band_amount: input.outOfBandAmount ?? null,
      effective_at: at,
      voided_at: null,
      metadata: input.metadata,
      total_taxes: [],
      lines: {
        object: 'list',
        data: lines,
        has_more: false,
        url: `/v1/credit_notes/${id}/lines`,
        total_count: lines.length,
      },
    };
    if (pre) {
      invoice.pre_payment_credit_notes_amount += total;
      invoice.amount_due = Math.max(0, invoice.amount_due - total);
      invoice.amount_remaining = Math.max(0, invoice.amount_remaining - total);
    } else {
      invoice.post_payment_credit_notes_amount += total;
      const customer = this.store.customers.get(invoice.customer);
      if (customer && note.credit_amount) customer.balance -= note.credit_amount;
    }
    this.store.creditNotes.set(id, note);
    this.store.emit('credit_note.created', note, at);
    this.store.emit('invoice.updated', invoice, at);
    return note;
  }

  private line(
    amount: number,
    description: string,
    invoiceLine: string | null,
    quantity: number | null,
    unitAmount: number | null,
    type: CreditNoteLine['type'],
  ): CreditNoteLine {
    return {
      id: stripeId('cnli'),
      object: 'credit_note_line_item',
      amount,
      description,
      invoice_line_item: invoiceLine,
      quantity,
      type,
      unit_amount: unitAmount,
      livemode: false,
      taxes: [],
    };
  }

  void(id: string): CreditNote {
    const note = this.store.creditNotes.get(id);
    if (!note) throw StripeApiError.noSuch('credit_note', id);
    if (note.status === 'void') throw StripeApiError.state('This credit note is already voided.');
    const at = this.store.nowFor(note.customer);
    note.status = 'void';
    note.voided_at = at;
    this.store.emit('credit_note.voided', note, at);
    return note;
  }
}
