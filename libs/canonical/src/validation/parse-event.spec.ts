import { describe, expect, it } from 'vitest';
import { canonicalJsonSchemas } from '../json-schema';
import { CANONICAL_EVENT_TYPES } from '../schemas/events';
import { readableVersions, upcast } from '../versioning/upcasters';
import { assertEvent, CanonicalValidationError, parseEvent } from './parse-event';

const envelope = {
  messageId: '0190f5e1-7c3a-7b2e-9f1d-2a4b6c8d0e1f',
  correlationId: 'corr-1',
  causationId: null,
  idempotencyKey: 'sf:801xx0000000001:1',
  occurredAt: '2026-01-01T09:00:00Z',
  tenantId: 'acme',
  source: { system: 'salesforce', objectType: 'Order', objectId: '801xx0000000001', replayId: '42' },
  externalRefs: { salesforceId: '801xx0000000001' },
};

const line10 = {
  lineId: 'seats',
  productCode: 'SEAT',
  chargeType: 'recurring',
  quantity: '10',
  unitPrice: '100',
  unitPricePeriod: 'month',
  netAmount: { amountMinor: '1200000', currency: 'USD' },
  serviceStart: '2026-01-01',
  serviceEnd: '2026-12-31',
  revenueTreatment: 'ratable_daily',
};

function booked(version: string, line: Record<string, unknown>): Record<string, unknown> {
  return {
    eventType: 'ContractBooked',
    schemaVersion: version,
    ...envelope,
    contractId: 'C-G1',
    customer: { customerId: 'cust-1' },
    currency: 'USD',
    termStart: '2026-01-01',
    termEnd: '2026-12-31',
    billingFrequency: 'annual',
    billingTiming: 'advance',
    lines: [line],
  };
}

describe('parseEvent', () => {
  it('accepts a valid 1.1 ContractBooked', () => {
    const r = parseEvent(booked('1.1', { ...line10, pobId: 'seats-pob' }));
    expect(r.ok).toBe(true);
    if (r.ok && r.value.eventType === 'ContractBooked') {
      expect(r.value.lines[0]?.pobId).toBe('seats-pob');
    }
  });

  it('upcasts a 1.0 ContractBooked: lines get pobId = lineId', () => {
    const raw = booked('1.0', line10);
    const r = parseEvent(raw);
    expect(r.ok).toBe(true);
    if (r.ok && r.value.eventType === 'ContractBooked') {
      expect(r.value.schemaVersion).toBe('1.1');
      expect(r.value.lines[0]?.pobId).toBe('seats');
    }
    expect(raw['schemaVersion']).toBe('1.0');
  });

  it('rejects a 1.1 event without pobId (the field is required from 1.1)', () => {
    const r = parseEvent(booked('1.1', line10));
    expect(r).toEqual({ ok: false, issues: [expect.objectContaining({ field: 'lines[0].pobId' })] });
  });

  it('refuses versions newer than the reader', () => {
    const r = parseEvent(booked('1.2', line10));
    expect(r).toEqual({
      ok: false,
      issues: [
        expect.objectContaining({
          field: 'schemaVersion',
          message: expect.stringContaining('newer') as string,
        }),
      ],
    });
  });

  it('every event type can be read from 1.0', () => {
    for (const type of CANONICAL_EVENT_TYPES) {
      expect(readableVersions(type)).toEqual(['1.0', '1.1']);
    }
    expect(upcast('PaymentReceived', { schemaVersion: '1.0', x: 1 })).toEqual({ schemaVersion: '1.1', x: 1 });
  });

  it('reports field paths for every problem', () => {
    const bad = booked('1.1', {
      ...line10,
      pobId: 'p',
      netAmount: { amountMinor: '12.5', currency: 'EUR' },
      serviceEnd: '2025-12-31',
      colour: 'red',
    });
    bad['messageId'] = '0190f5e1-7c3a-4b2e-9f1d-2a4b6c8d0e1f';
    bad['currency'] = 'XYZ';
    const r = parseEvent(bad);
    expect(r.ok).toBe(false);
    const fields = r.ok ? [] : r.issues.map((i) => i.field);
    expect(fields).toEqual(
      expect.arrayContaining(['messageId', 'currency', 'lines[0].netAmount.amountMinor', 'lines[0].colour']),
    );
  });

  it('checks cross-field rules: dates in order, one currency', () => {
    const r = parseEvent(
      booked('1.1', {
        ...line10,
        pobId: 'p',
        serviceStart: '2026-06-01',
        serviceEnd: '2026-05-01',
        netAmount: { amountMinor: '1', currency: 'EUR' },
      }),
    );
    expect(r.ok ? [] : r.issues.map((i) => i.field)).toEqual(
      expect.arrayContaining(['lines[0].serviceEnd', 'lines[0].netAmount.currency']),
    );
  });

  it('rejects unknown event types and throws from assertEvent', () => {
    expect(parseEvent({ eventType: 'Nope' })).toMatchObject({ ok: false, issues: [{ field: 'eventType' }] });
    expect(() => assertEvent(booked('1.1', line10))).toThrow(CanonicalValidationError);
  });
});

describe('canonicalJsonSchemas', () => {
  it('publishes a JSON Schema per event and shared type', () => {
    const schemas = canonicalJsonSchemas();
    expect(Object.keys(schemas)).toEqual(
      expect.arrayContaining([...CANONICAL_EVENT_TYPES, 'Money', 'ContractLine']),
    );
    const booked = JSON.stringify(schemas['ContractBooked']);
    expect(booked).toContain('"pobId"');
    expect(booked).toContain('"additionalProperties":false');
    expect(JSON.stringify(schemas['Money'])).toContain('"KWD"');
    expect(canonicalJsonSchemas()).toEqual(schemas);
  });
});
