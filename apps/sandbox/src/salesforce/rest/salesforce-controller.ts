import { applyDecorators, Controller, UseFilters, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ApiUsageInterceptor } from './api-usage.interceptor';
import { SalesforceErrorFilter } from './salesforce-error.filter';
import { SalesforceSessionGuard } from './session';

/**
 * A controller of Salesforce's REST API under `path`: the session check, the API-usage count and Salesforce's error
 * bodies. Salesforce documents these routes itself, so they stay out of the sandbox's own OpenAPI document.
 */
export const SalesforceRestController = (path: string): ClassDecorator =>
  applyDecorators(
    ApiExcludeController(),
    Controller(path),
    UseGuards(SalesforceSessionGuard),
    UseInterceptors(ApiUsageInterceptor),
    UseFilters(SalesforceErrorFilter),
  );
