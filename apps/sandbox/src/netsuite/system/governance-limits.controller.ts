import { Controller, Get, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AccountRunner } from '../account/account-runner';
import { ConcurrencyGate } from '../account/concurrency-gate';
import { TbaGuard } from '../auth/tba.guard';
import { NetSuiteError } from '../errors/netsuite-error';
import { NetSuiteErrorFilter } from '../errors/netsuite-error.filter';
import { NetSuiteSandboxConfig } from '../netsuite-sandbox.config';

/**
 * `GET /services/rest/system/v1/governanceLimits`: the account's concurrency limit, the threads no integration has
 * been allocated, and this integration's own allocation when Integration Governance gives it one. NetSuite answers it
 * to administrators only.
 */
@ApiExcludeController()
@Controller('services/rest/system/v1/governanceLimits')
@UseGuards(TbaGuard)
@UseFilters(NetSuiteErrorFilter)
export class GovernanceLimitsController {
  constructor(
    private readonly account: AccountRunner,
    private readonly gate: ConcurrencyGate,
    private readonly config: NetSuiteSandboxConfig,
  ) {}

  @Get()
  async governanceLimits(@Res() reply: FastifyReply): Promise<void> {
    await this.account.run(reply, 'read', () => {
      if (!this.config.SANDBOX_NETSUITE_ADMINISTRATOR_ROLE)
        throw new NetSuiteError(
          403,
          'INSUFFICIENT_PERMISSION',
          'Permission Violation: the governanceLimits operation is available to the Administrator role only.',
        );
      return { status: 200, body: this.gate.governance() };
    });
  }
}
