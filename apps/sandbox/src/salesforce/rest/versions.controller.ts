import { Controller, Get, UseFilters, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { FaultSwitches } from '../faults';
import { ApiUsageInterceptor } from './api-usage.interceptor';
import { SalesforceErrorFilter } from './salesforce-error.filter';
import { SalesforceSessionGuard } from './session';

const VERSIONS = ['58.0', '59.0', '60.0', '61.0', '62.0'];

/** `/services/data` (the versions) and `/services/data/vNN.N/limits`. */
@ApiExcludeController()
@Controller('services/data')
@UseFilters(SalesforceErrorFilter)
export class VersionsController {
  constructor(private readonly faults: FaultSwitches) {}

  @Get()
  sfVersions(): Array<{ label: string; url: string; version: string }> {
    return VERSIONS.map((version) => ({ label: 'Sandbox', url: `/services/data/v${version}`, version }));
  }

  @Get(':version/limits')
  @UseGuards(SalesforceSessionGuard)
  @UseInterceptors(ApiUsageInterceptor)
  sfLimits(): Record<string, { Max: number; Remaining: number }> {
    const max = this.faults.settings.apiLimit;
    return { DailyApiRequests: { Max: max, Remaining: Math.max(0, max - this.faults.apiUsage) } };
  }
}
