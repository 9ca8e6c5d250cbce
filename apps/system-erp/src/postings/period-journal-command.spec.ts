import { BusinessError } from '@revline/messaging';
import { describe, expect, it } from 'vitest';
import { checkPayload, PERIOD_JOURNAL_MAX_LINES, PeriodJournalCommand } from './payload-schemas';
import { toErpPeriodJournal } from './post-period-journal.handler';

const journal = {
  externalId: 'rr:2026-01:US:USD:1:0',
  period: '2026-01',
  subsidiary: 'US',
  currency: 'USD',
  memo: 'Revenue 2026-01',
  lines: [
    { account: 'deferred_revenue', debitMinor: '1000' },
    { account: 'revenue', productClass: 'SEAT', creditMinor: '1000' },
  ],
};

function refusal(payload: unknown): { message: string; field: unknown } {
  try {
    checkPayload(PeriodJournalCommand, payload, 'erp.post-period-journal');
  } catch (error) {
    if (error instanceof BusinessError) return { message: error.message, field: error.details.field };
    throw error;
  }
  throw new Error('accepted');
}

describe('erp.post-period-journal payload', () => {
  it('accepts a balanced journal and gives it an ERP-safe external id, the same every time', () => {
    const command = checkPayload(PeriodJournalCommand, journal, 'erp.post-period-journal');
    const first = toErpPeriodJournal(command);
    expect(first.externalId).toMatch(/^rr_2026-01_US_USD_1_0_[0-9a-f]{16}$/);
    expect(toErpPeriodJournal(command).externalId).toBe(first.externalId);
    expect(first.lines).toEqual(journal.lines);
  });

  it('refuses an unbalanced journal', () => {
    expect(
      refusal({ ...journal, lines: [journal.lines[0], { account: 'revenue', creditMinor: '999' }] }),
    ).toEqual({ message: expect.stringContaining('debits must equal credits') as unknown, field: 'lines' });
  });

  it('refuses a line with both or neither of debit and credit, or an amount that is not positive', () => {
    const withLine = (line: Record<string, unknown>) => ({ ...journal, lines: [line, ...journal.lines] });
    expect(refusal(withLine({ account: 'revenue', debitMinor: '5', creditMinor: '5' })).field).toBe(
      'lines.0.debitMinor',
    );
    expect(refusal(withLine({ account: 'revenue' })).field).toBe('lines.0.debitMinor');
    expect(refusal(withLine({ account: 'revenue', debitMinor: '0' })).field).toBe('lines.0.debitMinor');
    expect(refusal(withLine({ account: 'revenue', creditMinor: '-5' })).field).toBe('lines.0.creditMinor');
    expect(refusal(withLine({ account: 'revenue', creditMinor: '1.5' })).field).toBe('lines.0.creditMinor');
  });

  it('refuses an unknown account, a malformed period, no lines and more than 1,000 lines', () => {
    expect(refusal({ ...journal, lines: [{ account: 'cash', debitMinor: '1' }] }).field).toBe(
      'lines.0.account',
    );
    expect(refusal({ ...journal, period: '2026-13' }).field).toBe('period');
    expect(refusal({ ...journal, lines: [] }).field).toBe('lines');
    const pair = journal.lines;
    const many = Array.from({ length: PERIOD_JOURNAL_MAX_LINES / 2 + 1 }, () => pair).flat();
    expect(refusal({ ...journal, lines: many }).field).toBe('lines');
    const most = Array.from({ length: PERIOD_JOURNAL_MAX_LINES / 2 }, () => pair).flat();
    expect(checkPayload(PeriodJournalCommand, { ...journal, lines: most }, 'job').lines).toHaveLength(1000);
  });

  it('takes a fiscal period with its last day, and refuses one without it', () => {
    const fiscal = { ...journal, period: 'FY2027-P01', periodEnd: '2027-01-30' };
    expect(toErpPeriodJournal(checkPayload(PeriodJournalCommand, fiscal, 'job'))).toMatchObject({
      period: 'FY2027-P01',
      periodEnd: '2027-01-30',
    });
    expect(refusal({ ...journal, period: 'FY2027-P01' })).toEqual({
      message: expect.stringContaining('a fiscal period needs its last day') as unknown,
      field: 'periodEnd',
    });
    expect(refusal({ ...fiscal, period: 'FY2027-P14' }).field).toBe('period');
  });
});
