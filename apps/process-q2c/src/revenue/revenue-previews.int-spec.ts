import type { TestApp, TestDatabase } from '@revline/testing';
import { bearer, createTestApp, createTestDatabase, seedApiKey } from '@revline/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from '../app.module';
import { APP } from '../app.info';
import { DATABASE } from '../database';
import { ProrationPreviewSchema } from './proration-preview.schema';
import { PREVIEW_MAX_ITEMS } from '@revline/revenue';
import { G2_PRORATION_REQUEST, G2_SCHEDULE_REQUEST } from './revenue-examples';
import { SchedulePreviewSchema } from './schedule-preview.schema';

const SCHEDULES = '/v1/revenue/schedule-previews';
const PRORATION = '/v1/proration-previews';

/** "1,019.18" → "101918": golden figures as the API answers them (minor units as strings). */
const minor = (...figures: string[]): string[] => figures.map((f) => String(BigInt(f.replace(/[,.]/g, ''))));

const contract = G2_SCHEDULE_REQUEST.contract;
const seats = contract.lines[0];
const expansion = G2_SCHEDULE_REQUEST.amendments![0];
const change = G2_PRORATION_REQUEST.change;

interface Period {
  period: string;
  amountMinor: string;
}
interface Obligation {
  pobId: string;
  origin: string;
  allocatedMinor: string;
  periods: Period[];
}

describe('revenue and proration previews over HTTP (process-q2c)', () => {
  let db: TestDatabase;
  let test: TestApp;
  let viewer: string;
  let noRole: string;

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
    test = await createTestApp(AppModule, APP);
    viewer = await seedApiKey(db.dataSource, ['finance.viewer']);
    noRole = await seedApiKey(db.dataSource, [], 'no role');
  });

  afterAll(async () => {
    await test.close();
    await db.drop();
  });

  const post = (path: string, body: unknown, key = viewer): request.Test =>
    request(test.url)
      .post(path)
      .set(bearer(key))
      .send(body as object);

  const obligation = (body: { obligations: Obligation[] }, origin: string): Obligation | undefined =>
    body.obligations.find((o) => o.origin === origin);

  describe('POST /v1/revenue/schedule-previews', () => {
    it('G1: recognises the golden months by actual days and defers 10,980.82 at 2026-01-31', async () => {
      const res = await post(SCHEDULES, { contract })
        .expect(200)
        .expect('content-type', /application\/json/);
      expect(SchedulePreviewSchema.safeParse(res.body).error).toBeUndefined();
      const seatsSchedule = obligation(res.body, 'booking');
      expect(seatsSchedule?.periods.map((p) => p.amountMinor)).toEqual(
        minor(
          '1,019.18',
          '920.55',
          '1,019.17',
          '986.31',
          '1,019.17',
          '986.30',
          '1,019.18',
          '1,019.18',
          '986.30',
          '1,019.18',
          '986.30',
          '1,019.18',
        ),
      );
      expect(seatsSchedule?.periods[0]?.period).toBe('2026-01');
      expect(res.body.totals).toEqual({
        transactionPriceMinor: '1200000',
        allocatedMinor: '1200000',
        recognisedMinor: '1200000',
        billedMinor: '1200000',
      });
      expect(res.body.deferredByPeriod[0]).toMatchObject({
        period: '2026-01',
        billedToDateMinor: '1200000',
        recognisedToDateMinor: '101918',
        deferredMinor: minor('10,980.82')[0],
        deferredRevenueMinor: minor('10,980.82')[0],
        contractAssetMinor: '0',
      });
      expect(res.body.modifications).toEqual([]);
      expect(res.body.policy.ratableConvention).toBe('ratable_daily');
    });

    it('G1 with the even-monthly policy: 1,000.00 a month, 11,000.00 deferred at January end', async () => {
      const res = await post(SCHEDULES, { contract, policy: { ratableConvention: 'even_monthly' } }).expect(
        200,
      );
      expect(obligation(res.body, 'booking')?.periods.map((p) => p.amountMinor)).toEqual(
        Array<string>(12).fill('100000'),
      );
      expect(res.body.deferredByPeriod[0].deferredMinor).toBe('1100000');
      expect(res.body.policy.ratableConvention).toBe('even_monthly');
    });

    it('G2: the added seats are a separate contract, 4,800.00 recognised from 279.45 in March', async () => {
      const res = await post(SCHEDULES, G2_SCHEDULE_REQUEST).expect(200);
      expect(SchedulePreviewSchema.safeParse(res.body).error).toBeUndefined();
      const added = obligation(res.body, 'A-2001');
      expect(added).toMatchObject({ pobId: 'seats@A-2001', allocatedMinor: '480000' });
      expect(added?.periods.map((p) => [p.period, p.amountMinor])).toEqual(
        [
          '279.45',
          '493.15',
          '509.59',
          '493.15',
          '509.59',
          '509.59',
          '493.15',
          '509.59',
          '493.15',
          '509.59',
        ].map((f, i) => [`2026-${String(i + 3).padStart(2, '0')}`, minor(f)[0]]),
      );
      // The original 10 seats keep their schedule; the customer's March revenue is 1,019.17 + 279.45.
      expect(obligation(res.body, 'booking')?.periods[2]?.amountMinor).toBe('101917');
      expect(res.body.deferredByPeriod[2]).toMatchObject({ period: '2026-03', recognisedMinor: '129862' });
      expect(res.body.modifications).toHaveLength(1);
      expect(res.body.modifications[0]).toMatchObject({
        amendmentId: 'A-2001',
        amendmentType: 'expansion',
        treatment: 'separate_contract',
        citation: 'ASC 606-10-25-12',
        decidedBy: 'facts',
        facts: { distinctGoodsAdded: true, pricedAtSsp: true, remainingGoodsDistinct: true },
        considerationMinor: '480000',
        creditMinor: '0',
      });
      expect(res.body.modifications[0].reason).toMatch(
        /distinct .*standalone selling price.*separate contract/,
      );
      expect(res.body.totals.transactionPriceMinor).toBe('1680000');
      expect(res.body.scheduleVersion).toBe(2);
      expect(res.body.versions[1]).toMatchObject({ trigger: 'A-2001', treatment: 'separate_contract' });
    });

    it('lets a tenant policy override the treatment, and says so', async () => {
      const res = await post(SCHEDULES, {
        ...G2_SCHEDULE_REQUEST,
        policy: { treatmentOverrides: { 'A-2001': 'prospective' } },
      }).expect(200);
      expect(res.body.modifications[0]).toMatchObject({ treatment: 'prospective', decidedBy: 'policy' });
      expect(res.body.modifications[0].reason).toContain('separate_contract');
    });

    it('reports a 4-4-5 tenant in its fiscal periods, which sum exactly to the price, and records the calendar', async () => {
      const fy = { termStart: '2026-01-04', termEnd: '2027-01-02' };
      const policy = { fiscalCalendar: '4-4-5', fiscalYearStart: '2026-01-04' };
      const res = await post(SCHEDULES, {
        contract: {
          ...contract,
          ...fy,
          lines: [{ ...seats, serviceStart: fy.termStart, serviceEnd: fy.termEnd }],
        },
        policy,
      }).expect(200);
      expect(SchedulePreviewSchema.safeParse(res.body).error).toBeUndefined();
      expect(res.body.policy).toMatchObject(policy);
      const periods: Period[] = obligation(res.body, 'booking')?.periods ?? [];
      expect(periods.map((p) => p.period)).toEqual([
        'FY2026-P01',
        'FY2026-P02',
        'FY2026-P03',
        'FY2026-P04',
        'FY2026-P05',
        'FY2026-P06',
        'FY2026-P07',
        'FY2026-P08',
        'FY2026-P09',
        'FY2026-P10',
        'FY2026-P11',
        'FY2026-P12',
      ]);
      // 28, 28 and 35 days of 364: 923.08, 923.07, 1,153.85, and 3,000.00 every quarter.
      expect(periods.slice(0, 3).map((p) => p.amountMinor)).toEqual(minor('923.08', '923.07', '1,153.85'));
      expect(periods.reduce((sum, p) => sum + BigInt(p.amountMinor), 0n)).toBe(1_200_000n);
    });

    it('refuses a week calendar without its fiscal year start, naming the field', async () => {
      const res = await post(SCHEDULES, { contract, policy: { fiscalCalendar: '5-4-4' } }).expect(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'policy.fiscalYearStart' })]);
    });
  });

  describe('POST /v1/proration-previews', () => {
    it('G2 by actual days, itemised as Stripe does: −9,600.00 unused + 14,400.00 remaining = 4,800.00', async () => {
      const res = await post(PRORATION, G2_PRORATION_REQUEST).expect(200);
      expect(ProrationPreviewSchema.safeParse(res.body).error).toBeUndefined();
      expect(res.body.lines).toEqual([
        {
          description: 'Unused time on 10 × Seat after 2026-03-15',
          amountMinor: '-960000',
          proration: true,
          period: { start: '2026-03-15', end: '2026-12-31' },
        },
        {
          description: 'Remaining time on 15 × Seat after 2026-03-15',
          amountMinor: '1440000',
          proration: true,
          period: { start: '2026-03-15', end: '2026-12-31' },
        },
      ]);
      expect(res.body).toMatchObject({
        convention: 'actual_days',
        currency: 'USD',
        remainingFraction: '0.800000',
        netMinor: '480000',
      });
    });

    it('G2 with CPQ monthly + daily (9 months + 17 days of 365/12): one line of 4,779.45', async () => {
      const res = await post(PRORATION, { change, convention: 'cpq_monthly_daily' }).expect(200);
      expect(res.body.lines.map((l: { amountMinor: string }) => l.amountMinor)).toEqual(['477945']);
      expect(res.body.netMinor).toBe('477945');
    });
  });

  describe('bad input: 400 problem+json naming the field, never a 500', () => {
    const withLine = (overrides: object): object => ({
      contract: { ...contract, lines: [{ ...seats, ...overrides }] },
    });
    const withAmendment = (overrides: object): object => ({
      contract,
      amendments: [{ ...expansion, ...overrides }],
    });

    it.each<[string, unknown, string, RegExp]>([
      [
        'term end before start',
        { contract: { ...contract, termEnd: '2025-12-31' } },
        'contract.termEnd',
        /before termStart/,
      ],
      [
        'negative quantity',
        withLine({ quantity: '-10' }),
        'contract.lines[0].quantity',
        /non-negative decimal/,
      ],
      [
        'unknown currency',
        { contract: { ...contract, currency: 'XYZ' } },
        'contract.currency',
        /expected one of/,
      ],
      [
        'amendment outside the term',
        withAmendment({ effectiveDate: '2027-03-15' }),
        'amendments[0].effectiveDate',
        /outside the contract term 2026-01-01\.\.2026-12-31/,
      ],
      [
        'amount that overflows',
        withLine({ netAmount: { amountMinor: '1000000000000001', currency: 'USD' } }),
        'contract.lines[0].netAmount.amountMinor',
        /10\^15/,
      ],
      [
        'line in another currency',
        withLine({ netAmount: { amountMinor: '1200000', currency: 'EUR' } }),
        'contract.lines[0].netAmount.currency',
        /contract currency USD/,
      ],
      [
        'amendment of another contract',
        withAmendment({ amendsContractId: 'C-OTHER' }),
        'amendments[0].amendsContractId',
        /C-1001/,
      ],
      ['unknown field', { contract: { ...contract, discount: '10%' } }, 'contract.discount', /unknown field/],
      ['no body', undefined, '(body)', /expected object/],
    ])('schedule preview: %s', async (_name, body, field, problem) => {
      const res = await post(SCHEDULES, body)
        .expect(400)
        .expect('content-type', /application\/problem\+json/);
      expect(res.body.status).toBe(400);
      expect(res.body.errors).toContainEqual({ field, problem: expect.stringMatching(problem) });
      expect(res.body.detail).toContain(field);
    });

    it.each<[string, unknown, string, RegExp]>([
      [
        'effective date outside the period',
        { change: { ...change, effectiveDate: '2027-01-01' }, convention: 'actual_days' },
        'change.effectiveDate',
        /inside the billing period/,
      ],
      [
        'period end before start',
        { change: { ...change, periodEnd: '2025-12-31' }, convention: 'actual_days' },
        'change.periodEnd',
        /before periodStart/,
      ],
      ['unknown convention', { change, convention: 'weekly' }, 'convention', /expected one of/],
      [
        'unknown currency',
        { change: { ...change, currency: 'XYZ' }, convention: 'actual_days' },
        'change.currency',
        /expected one of/,
      ],
      [
        'negative quantity',
        { change: { ...change, newQuantity: '-5' }, convention: 'actual_days' },
        'change.newQuantity',
        /non-negative decimal/,
      ],
      ['unknown field', { change, convention: 'actual_days', prorate: true }, 'prorate', /unknown field/],
      ['missing change', { convention: 'actual_days' }, 'change', /expected object/],
    ])('proration preview: %s', async (_name, body, field, problem) => {
      const res = await post(PRORATION, body)
        .expect(400)
        .expect('content-type', /application\/problem\+json/);
      expect(res.body.errors).toContainEqual({ field, problem: expect.stringMatching(problem) });
    });

    it('lists every invalid field at once', async () => {
      const res = await post(SCHEDULES, {
        contract: { ...contract, currency: 'XYZ', lines: [{ ...seats, quantity: '-1' }] },
      }).expect(400);
      const fields = (res.body.errors as { field: string }[]).map((e) => e.field);
      expect(fields).toEqual(expect.arrayContaining(['contract.currency', 'contract.lines[0].quantity']));
    });
  });

  describe('amounts that overflow ±10^15 minor units', () => {
    it('refuses an amendment whose price change overflows, naming the line delta', async () => {
      const res = await post(SCHEDULES, {
        contract,
        amendments: [
          { ...expansion, lineDeltas: [{ ...expansion.lineDeltas[0], newQuantity: '100000000000000' }] },
        ],
      }).expect(400);
      expect(res.body.errors).toEqual([
        { field: 'amendments[0].lineDeltas[0].amountDelta', problem: expect.stringContaining('10^15') },
      ]);
    });

    it('refuses lines that each fit but add up beyond the bound, naming contract.lines', async () => {
      const big = { amountMinor: '900000000000000', currency: 'USD' };
      const res = await post(SCHEDULES, {
        contract: {
          ...contract,
          lines: [
            { ...seats, netAmount: big },
            { ...seats, lineId: 'L2', pobId: 'p2', netAmount: big },
          ],
        },
      }).expect(400);
      expect(res.body.errors).toEqual([
        { field: 'contract.lines', problem: expect.stringMatching(/1800000000000000 minor units .*10\^15/) },
      ]);
    });

    it('refuses a proration whose item value overflows, even when its lines would net to zero', async () => {
      const huge = '100000000000000';
      const res = await post(PRORATION, {
        change: { ...change, priorQuantity: huge, newQuantity: huge },
        convention: 'actual_days',
      }).expect(400);
      expect(res.body.errors).toEqual([
        { field: 'change.priorQuantity', problem: expect.stringContaining('beyond the bound of 10^15') },
      ]);
      const up = await post(PRORATION, {
        change: { ...change, newQuantity: huge },
        convention: 'cpq_day',
      }).expect(400);
      expect(up.body.errors[0].field).toBe('change.newQuantity');
    });
  });

  describe('access', () => {
    it.each([SCHEDULES, PRORATION])('%s: no key → 401, a key without finance.viewer → 403', async (path) => {
      const anonymous = await request(test.url).post(path).send(G2_PRORATION_REQUEST).expect(401);
      expect(anonymous.headers['content-type']).toContain('application/problem+json');
      const forbidden = await post(path, G2_PRORATION_REQUEST, noRole).expect(403);
      expect(forbidden.body.detail).toContain('finance.viewer');
    });
  });

  describe('OpenAPI', () => {
    it('documents both routes with their schemas, the G2 examples and the 400/401/403 problems', async () => {
      const doc = (await request(test.url).get('/docs/openapi.json').expect(200)).body;
      const schedules = doc.paths[SCHEDULES].post;
      const proration = doc.paths[PRORATION].post;
      expect([schedules.operationId, proration.operationId]).toEqual([
        'previewRevenueSchedules',
        'previewProration',
      ]);
      expect(schedules.tags).toEqual(['revenue']);
      expect(doc.tags.map((t: { name: string }) => t.name)).toContain('revenue');
      for (const op of [schedules, proration]) {
        expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403']));
        expect(op.responses['400'].content['application/problem+json'].schema).toEqual({
          $ref: '#/components/schemas/ProblemDetails',
        });
        expect(op.security).toEqual([{ 'api-key': [] }]);
      }
      expect(doc.components.schemas.ProblemDetails.properties.errors).toBeDefined();
      const body = schedules.requestBody.content['application/json'];
      expect(body.schema).toEqual({ $ref: '#/components/schemas/SchedulePreviewRequest' });
      expect(body.examples.g2Expansion.value).toEqual(G2_SCHEDULE_REQUEST);
      expect(schedules.responses['200'].content['application/json'].schema).toEqual({
        $ref: '#/components/schemas/SchedulePreview',
      });
      expect(proration.requestBody.content['application/json'].examples.g2ActualDays.value).toEqual(
        G2_PRORATION_REQUEST,
      );
      const schemas = doc.components.schemas;
      expect(schemas.ContractTerms.additionalProperties).toBe(false);
      // The line arrays say how many lines fit in the body limit.
      expect(schemas.ContractTerms.properties.lines.maxItems).toBe(PREVIEW_MAX_ITEMS.lines);
      expect(schemas.SchedulePreviewRequest.properties.amendments.maxItems).toBe(
        PREVIEW_MAX_ITEMS.amendments,
      );
      expect(schemas.ProrationChange.properties.billCycleDay.maximum).toBe(31);
      expect(schemas.SchedulePreviewRequest.required).toEqual(['contract']);
      expect(schemas.ProrationChange.properties.priorQuantity.pattern).toBeDefined();
      expect(schemas.ModificationRecord.properties.treatment).toBeDefined();

      // The documented response examples are what the routes answer.
      const g2 = await post(SCHEDULES, G2_SCHEDULE_REQUEST).expect(200);
      expect(schedules.responses['200'].content['application/json'].examples.g2Expansion.value).toEqual(
        g2.body,
      );
      const prorated = await post(PRORATION, G2_PRORATION_REQUEST).expect(200);
      expect(proration.responses['200'].content['application/json'].examples.g2ActualDays.value).toEqual(
        prorated.body,
      );
    });
  });
});
