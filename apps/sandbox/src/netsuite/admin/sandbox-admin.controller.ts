import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DomainError } from '@revline/http';
import { ConcurrencyGate } from '../account/concurrency-gate';
import type { ConcurrencyStats } from '../account/concurrency-gate';
import { FaultSwitches } from '../account/fault-switches';
import type { FaultCounts, Faults } from '../account/fault-switches';
import { GeneralLedger } from '../ledger/general-ledger';
import { RecordStore } from '../records/record-store';
import { ConcurrencyDto, FaultsDto } from './sandbox-admin.dto';

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

function period(value: string): string {
  if (!PERIOD.test(value))
    throw new DomainError(400, 'period must be YYYY-MM', [{ field: 'period', problem: 'must be YYYY-MM' }]);
  return value;
}

/** Switches for tests and demos: faults, the concurrency limit, period close, statistics and a reset. */
@ApiTags('sandbox')
@Controller('sandbox')
export class SandboxAdminController {
  constructor(
    private readonly faults: FaultSwitches,
    private readonly gate: ConcurrencyGate,
    private readonly ledger: GeneralLedger,
    private readonly store: RecordStore,
  ) {}

  @Get('faults')
  @ApiOperation({ summary: 'The fault switches in force' })
  getFaults(): Faults {
    return this.faults.current();
  }

  @Post('faults')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Sets fault switches (latency, 5xx, 429, timeout after save); unset ones keep their value',
  })
  @ApiBadRequestResponse({ description: 'A rate outside 0..1 or an unknown switch' })
  setFaults(@Body() body: FaultsDto): Faults {
    return this.faults.set(body);
  }

  @Post('concurrency')
  @HttpCode(200)
  @ApiOperation({ summary: "Sets the account's concurrency limit and the integration's allocation" })
  setConcurrencyLimit(@Body() body: ConcurrencyDto): ConcurrencyStats {
    this.gate.setLimit(body.limit, body.integrationLimit);
    return this.gate.stats();
  }

  @Get('stats')
  @ApiOperation({ summary: 'Requests accepted and refused, the most run at once, and the faults fired' })
  getStats(): ConcurrencyStats & { faults: FaultCounts } {
    return { ...this.gate.stats(), faults: this.faults.fired() };
  }

  @Post('stats/reset')
  @HttpCode(204)
  @ApiOperation({ summary: 'Resets the request statistics' })
  resetStats(): void {
    this.gate.resetStats();
  }

  @Post('periods/:period/close')
  @HttpCode(200)
  @ApiOperation({ summary: 'Closes an accounting period (YYYY-MM): it refuses postings from then on' })
  closePeriod(@Param('period') value: string): { closedPeriods: string[] } {
    this.ledger.closePeriod(period(value));
    return { closedPeriods: this.ledger.closedPeriods() };
  }

  @Post('periods/:period/reopen')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reopens an accounting period' })
  reopenPeriod(@Param('period') value: string): { closedPeriods: string[] } {
    this.ledger.reopenPeriod(period(value));
    return { closedPeriods: this.ledger.closedPeriods() };
  }

  @Get('ledger/imbalance')
  @ApiOperation({ summary: 'Debits minus credits over the whole ledger, per currency (always zero)' })
  @ApiOkResponse({ schema: { example: { USD: '0' } } })
  getLedgerImbalance(): Record<string, string> {
    return this.ledger.imbalance();
  }

  @Post('reset')
  @HttpCode(204)
  @ApiOperation({ summary: 'Forgets every record, posting, closed period, fault and statistic' })
  resetAccount(): void {
    this.store.reset();
    this.ledger.reset();
    this.faults.reset();
    this.gate.resetStats();
  }
}
