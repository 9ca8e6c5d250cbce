import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { DomainError } from '@revline/http';
import { TokenStore } from '../auth/token-store';
import { ChangeEventLog } from '../cdc/change-event-log';
import { CometdServer } from '../cdc/cometd-server';
import { CpqService } from '../cpq/cpq.service';
import type { FaultSettings } from '../faults';
import { DEFAULT_FAULTS, FaultSwitches } from '../faults';
import { SandboxClock } from '../org/clock';
import { SalesforceApiError } from '../org/errors';
import { ADMIN_USER_ID, OrgStore } from '../org/org-store';

type Json = Record<string, unknown>;

function object(body: unknown): Json {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new DomainError(400, 'The body must be a JSON object');
  }
  return body as Json;
}

function number(body: Json, field: string, min: number, max: number): number | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new DomainError(400, `${field} must be a number from ${String(min)} to ${String(max)}`, [
      { field, problem: `must be a number from ${String(min)} to ${String(max)}` },
    ]);
  }
  return value;
}

function string(body: Json, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') {
    throw new DomainError(400, `${field} is required`, [{ field, problem: 'must be a non-empty string' }]);
  }
  return value;
}

const ADMIN_CONTEXT = {
  userId: ADMIN_USER_ID,
  changeOrigin: 'com/salesforce/api/rest/60.0;client=SandboxAdmin',
};

/** The sandbox's own controls: faults, the org clock, sessions, a reset, and the CPQ buttons sales would press. */
@ApiTags('sandbox')
@Controller('sandbox')
export class SandboxAdminController {
  constructor(
    private readonly faults: FaultSwitches,
    private readonly clock: SandboxClock,
    private readonly tokens: TokenStore,
    private readonly store: OrgStore,
    private readonly log: ChangeEventLog,
    private readonly cometd: CometdServer,
    private readonly cpq: CpqService,
  ) {}

  @Get('faults')
  @ApiOperation({ summary: 'The fault switches now in force' })
  readFaults(): FaultSettings & { apiUsage: number } {
    return { ...this.faults.settings, apiUsage: this.faults.apiUsage };
  }

  @Post('faults')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Switch faults on or off: latencyMs, errorRate, dropRate, duplicateRate, gapRate, forceGapOverflow, overflowAfter, apiLimit, apiUsage, seed',
  })
  setFaults(@Body() body: unknown): FaultSettings & { apiUsage: number } {
    const input = object(body);
    const known = new Set([...Object.keys(DEFAULT_FAULTS), 'apiUsage', 'seed']);
    const unknown = Object.keys(input).filter((k) => !known.has(k));
    if (unknown.length > 0) {
      throw new DomainError(
        400,
        `Unknown fault switches: ${unknown.join(', ')}`,
        unknown.map((field) => ({ field, problem: 'is not a fault switch' })),
      );
    }
    const changes: Partial<FaultSettings> = {};
    const rate = (field: keyof FaultSettings): void => {
      const value = number(input, field, 0, 1);
      if (value !== undefined) Object.assign(changes, { [field]: value });
    };
    rate('errorRate');
    rate('dropRate');
    rate('duplicateRate');
    rate('gapRate');
    const latency = number(input, 'latencyMs', 0, 60_000);
    if (latency !== undefined) changes.latencyMs = latency;
    const overflowAfter = number(input, 'overflowAfter', 0, 1_000_000);
    if (overflowAfter !== undefined) changes.overflowAfter = overflowAfter;
    const apiLimit = number(input, 'apiLimit', 1, 1e9);
    if (apiLimit !== undefined) changes.apiLimit = apiLimit;
    if (input.forceGapOverflow !== undefined) {
      if (typeof input.forceGapOverflow !== 'boolean') {
        throw new DomainError(400, 'forceGapOverflow must be a boolean', [
          { field: 'forceGapOverflow', problem: 'must be a boolean' },
        ]);
      }
      changes.forceGapOverflow = input.forceGapOverflow;
    }
    const usage = number(input, 'apiUsage', 0, 1e9);
    if (usage !== undefined) this.faults.apiUsage = usage;
    this.faults.update(changes, number(input, 'seed', 0, 2 ** 31));
    return this.readFaults();
  }

  @Get('stats')
  @ApiOperation({
    summary:
      'REST calls in flight now, the most at once, the calls made by resource (composite, composite/sobjects, query…) and those refused past the daily allocation since the last reset',
  })
  readStats(): { inFlight: number; maxInFlight: number; requests: Record<string, number>; refused: number } {
    return {
      inFlight: this.faults.inFlight,
      maxInFlight: this.faults.maxInFlight,
      requests: Object.fromEntries(this.faults.requests),
      refused: this.faults.refused,
    };
  }

  @Post('stats/reset')
  @HttpCode(200)
  @ApiOperation({ summary: 'Start counting the most REST calls at once, and the calls by resource, afresh' })
  resetStats(): ReturnType<SandboxAdminController['readStats']> {
    this.faults.maxInFlight = this.faults.inFlight;
    this.faults.requests.clear();
    this.faults.refused = 0;
    return this.readStats();
  }

  @Post('clock/advance')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Move the org clock forward (hours and/or ms), e.g. past the 72-hour event retention',
  })
  advanceClock(@Body() body: unknown): { now: string } {
    const input = object(body);
    const ms = (number(input, 'hours', 0, 24 * 365) ?? 0) * 3_600_000 + (number(input, 'ms', 0, 1e12) ?? 0);
    return { now: this.clock.advance(ms).toISOString() };
  }

  @Post('sessions/expire')
  @HttpCode(200)
  @ApiOperation({ summary: 'End every OAuth session, so clients must refresh their tokens' })
  expireSessions(): { expired: number } {
    return { expired: this.tokens.expireAll() };
  }

  @Get('cdc')
  @ApiOperation({ summary: 'The change event bus: latest replay id and open subscriptions' })
  readCdc(): { latestReplayId: number; subscriptions: number; now: string } {
    return {
      latestReplayId: this.log.latestReplayId,
      subscriptions: this.cometd.subscriptionCount,
      now: this.clock.now().toISOString(),
    };
  }

  @Post('reset')
  @HttpCode(200)
  @ApiOperation({ summary: 'Empty the org, switch faults off and reset the clock' })
  resetOrg(): { reset: true } {
    this.store.reset();
    this.log.reset();
    this.faults.reset();
    this.clock.reset();
    return { reset: true };
  }

  @Post('cpq/contracts')
  @ApiOperation({ summary: 'CPQ "Contracted": an activated contract from an activated order' })
  contractOrder(@Body() body: unknown): { contractId: string } {
    const input = object(body);
    return this.cpqCall(() => ({
      contractId: this.cpq.contractOrder(
        ADMIN_CONTEXT,
        string(input, 'orderId'),
        number(input, 'termMonths', 1, 120) ?? 12,
      ),
    }));
  }

  @Post('cpq/amendments')
  @ApiOperation({ summary: 'CPQ "Amend": a draft amendment order whose lines carry quantity deltas' })
  amendContract(@Body() body: unknown): { orderId: string } {
    const input = object(body);
    const list = (field: string): Json[] => {
      const value = input[field] ?? [];
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'object' || v === null)) {
        throw new DomainError(400, `${field} must be an array of objects`, [
          { field, problem: 'must be an array of objects' },
        ]);
      }
      return value as Json[];
    };
    const changes = list('changes').map((c) => ({
      orderItemId: string(c, 'orderItemId'),
      quantity: number(c, 'quantity', -1e9, 1e9) ?? 0,
    }));
    const additions = list('additions').map((a) => ({
      pricebookEntryId: string(a, 'pricebookEntryId'),
      quantity: number(a, 'quantity', -1e9, 1e9) ?? 1,
      unitPrice: number(a, 'unitPrice', 0, 1e12) ?? 0,
    }));
    return this.cpqCall(() => ({
      orderId: this.cpq.amend(ADMIN_CONTEXT, {
        contractId: string(input, 'contractId'),
        effectiveDate: string(input, 'effectiveDate'),
        changes,
        additions,
      }),
    }));
  }

  @Post('cpq/renewals')
  @ApiOperation({ summary: 'CPQ "Renew": a draft renewal order tied to the prior contract' })
  renewContract(@Body() body: unknown): { orderId: string } {
    const input = object(body);
    return this.cpqCall(() => ({ orderId: this.cpq.renew(ADMIN_CONTEXT, string(input, 'contractId')) }));
  }

  private cpqCall<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      if (error instanceof SalesforceApiError) {
        const status = error.status === 404 ? 404 : 400;
        throw new DomainError(
          status,
          error.message,
          error.errors.flatMap((e) => (e.fields ?? ['body']).map((field) => ({ field, problem: e.message }))),
        );
      }
      throw error;
    }
  }
}
