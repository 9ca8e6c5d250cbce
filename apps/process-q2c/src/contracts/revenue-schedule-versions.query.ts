import { Injectable } from '@nestjs/common';
import type { ContractAmended, ContractBooked } from '@revline/canonical';
import type { RevenueScheduleVersionDto } from '@revline/finance-api';
import { moneyOf } from '@revline/finance-api';
import { DomainError } from '@revline/http';
import { computeSchedules } from '@revline/revenue';
import { DataSource } from 'typeorm';
import { fiscalPolicy } from '../shared/fiscal-periods';
import { FiscalCalendarConfig } from '../shared/fiscal-calendar.config';

interface EventRow {
  event_id: string;
  recorded_at: Date;
  payload: ContractBooked | ContractAmended;
}

/**
 * A contract's revenue schedule versions as the sagas computed them: the engine's schedules for the booking
 * (version 1) and after each amendment, from the stored canonical events and the tenant's fiscal calendar. Each
 * version lists every obligation's amount per period, in minor units with the currency and a display string.
 */
@Injectable()
export class RevenueScheduleVersions {
  constructor(
    private readonly dataSource: DataSource,
    private readonly fiscal: FiscalCalendarConfig,
  ) {}

  async execute(contractId: string): Promise<RevenueScheduleVersionDto[]> {
    const rows = await this.dataSource.query<EventRow[]>(
      `SELECT "event_id", "recorded_at", "payload" FROM "q2c"."canonical_events" WHERE "contract_id" = $1
        ORDER BY "recorded_at", "event_id"`,
      [contractId],
    );
    const bookingRow = rows.find((row) => row.payload.eventType === 'ContractBooked');
    if (!bookingRow)
      throw new DomainError(404, `Contract ${contractId} has no stored booking: it has no revenue schedule`);
    const booking = bookingRow.payload as ContractBooked;
    const amendments = rows.filter((row) => row.payload.eventType !== 'ContractBooked');
    const byAmendment = new Map(amendments.map((row) => [(row.payload as ContractAmended).amendmentId, row]));
    const policy = fiscalPolicy(this.fiscal);
    const all = computeSchedules(
      booking,
      amendments.map((row) => row.payload as ContractAmended),
      policy,
    );
    // Version n is the booking and the amendments that triggered versions 2..n (the engine's order).
    return all.versions.map((version, index) => {
      const triggers = new Set(all.versions.slice(1, index + 1).map((v) => v.trigger));
      const included = amendments
        .map((row) => row.payload as ContractAmended)
        .filter((am) => triggers.has(am.amendmentId));
      const result = index === all.versions.length - 1 ? all : computeSchedules(booking, included, policy);
      const event = version.trigger === 'booking' ? bookingRow : byAmendment.get(version.trigger);
      const currency = booking.currency;
      const lines = result.obligations.flatMap((o) =>
        o.periods.map((p) => ({
          obligationId: o.pobId,
          productCode: o.productCode,
          period: p.period,
          amount: moneyOf(p.amountMinor.toString(), currency),
        })),
      );
      const total = result.obligations.reduce(
        (sum, o) => sum + o.periods.reduce((s, p) => s + p.amountMinor, 0n),
        0n,
      );
      return {
        version: version.version,
        cause: version.trigger === 'booking' ? 'booking' : 'amendment',
        treatment: version.treatment,
        eventId: event?.event_id ?? null,
        amendmentId: version.trigger === 'booking' ? null : version.trigger,
        createdAt: event ? new Date(event.recorded_at).toISOString() : null,
        currency,
        total: moneyOf(total.toString(), currency),
        lines,
      };
    });
  }
}
