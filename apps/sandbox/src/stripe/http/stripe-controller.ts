import { applyDecorators, Controller, UseFilters, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { StripeKeyGuard } from './auth.guard';
import { StripeApiInterceptor } from './stripe-api.interceptor';
import { StripeErrorFilter } from './stripe-error';

/**
 * A controller answering Stripe's wire format: its key check, its error objects, its idempotency and the fault
 * switches. Stripe documents these routes itself, so they stay out of the sandbox's own OpenAPI document.
 */
export const StripeController = (): ClassDecorator =>
  applyDecorators(
    Controller('v1'),
    ApiExcludeController(),
    UseGuards(StripeKeyGuard),
    UseInterceptors(StripeApiInterceptor),
    UseFilters(StripeErrorFilter),
  );
