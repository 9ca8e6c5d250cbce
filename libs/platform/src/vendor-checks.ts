import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Roles } from '@revline/auth';
import { IsOptional, Matches } from 'class-validator';

export type VendorCheckStatus = 'pass' | 'fail' | 'skip';

/** One item of a vendor's go-live checklist: what was checked, what was found, and how to fix it. */
export class VendorCheckDto {
  @ApiProperty({ example: 'salesforce.custom-fields' })
  id!: string;

  @ApiProperty({ example: 'Revline custom fields and object present and writable' })
  title!: string;

  @ApiProperty({ enum: ['pass', 'fail', 'skip'] })
  status!: VendorCheckStatus;

  @ApiProperty({ example: 'Order lacks Revline_ERP_Id__c' })
  detail!: string;

  @ApiPropertyOptional({ example: 'Deploy vendor/salesforce with `sf project deploy start`' })
  fix?: string;
}

export class VendorChecksDto {
  @ApiProperty({ enum: ['salesforce', 'stripe', 'netsuite'] })
  vendor!: string;

  @ApiProperty({ description: 'True when no check failed' })
  ok!: boolean;

  @ApiProperty({ type: [VendorCheckDto] })
  checks!: VendorCheckDto[];
}

/** A product of the active mapping and its id in the vendor asked (a Stripe price, a NetSuite item external id). */
export interface MappedProduct {
  productCode: string;
  vendorId: string;
}

export class VendorChecksQuery {
  @ApiPropertyOptional({
    description:
      'Products of the active mapping to look up in the vendor, as productCode=vendorId pairs separated by commas ' +
      '(system-billing: the Stripe price id; system-erp: the NetSuite item external id; system-salesforce ignores it)',
    example: 'SEAT=price_seat_monthly,TRAINING=price_training_day',
  })
  @IsOptional()
  @Matches(/^[^=,\s]+=[^=,\s]+(,[^=,\s]+=[^=,\s]+)*$/, {
    message: 'products must be productCode=vendorId pairs separated by commas',
  })
  products?: string;
}

export function parseMappedProducts(products: string | undefined): MappedProduct[] {
  if (!products) return [];
  return products.split(',').map((pair) => {
    const [productCode = '', vendorId = ''] = pair.split('=');
    return { productCode, vendorId };
  });
}

export const pass = (id: string, title: string, detail: string): VendorCheckDto => ({
  id,
  title,
  status: 'pass',
  detail,
});

export const fail = (id: string, title: string, detail: string, fix: string): VendorCheckDto => ({
  id,
  title,
  status: 'fail',
  detail,
  fix,
});

export const skip = (id: string, title: string, detail: string): VendorCheckDto => ({
  id,
  title,
  status: 'skip',
  detail,
});

/** A check and what to do when it cannot even ask (the vendor unreachable, the credentials refused). */
export interface VendorCheck {
  id: string;
  title: string;
  /** Shown when the check throws: usually "fix the credentials check first". */
  fixOnError: string;
  run(): Promise<VendorCheckDto | VendorCheckDto[]>;
}

/** Runs the checks one after the other (vendors' limits are low), a thrown error failing only its own check. */
export async function runVendorChecks(vendor: string, checks: VendorCheck[]): Promise<VendorChecksDto> {
  const results: VendorCheckDto[] = [];
  for (const check of checks) {
    try {
      results.push(...[await check.run()].flat());
    } catch (error) {
      results.push(fail(check.id, check.title, (error as Error).message, check.fixOnError));
    }
  }
  return { vendor, ok: results.every((r) => r.status !== 'fail'), checks: results };
}

/** The go-live checks of the vendor a system API speaks to; each system API provides its own. */
export abstract class VendorChecks {
  abstract readonly vendor: string;

  /** The checklist, in order: credentials first (a later check only says "fix that first" when they fail). */
  protected abstract checks(products: MappedProduct[]): VendorCheck[];

  /** Repairs the vendor's side can take through its API (`npm run preflight -- --fix`); none by default. */
  protected fixes(): VendorCheck[] {
    return [];
  }

  run(products: MappedProduct[]): Promise<VendorChecksDto> {
    return runVendorChecks(this.vendor, this.checks(products));
  }

  fix(): Promise<VendorChecksDto> {
    return runVendorChecks(this.vendor, this.fixes());
  }
}

/**
 * `GET /health/vendors`: the vendor account's go-live checklist as JSON, the same checks `npm run preflight`
 * prints. Admins only: it names the account's configuration.
 */
@ApiTags('platform')
@Controller('health')
export class VendorHealthController {
  constructor(private readonly checks: VendorChecks) {}

  @Get('vendors')
  @Roles('integration.admin')
  @ApiOperation({
    summary:
      "The vendor account's go-live checklist: credentials and API version, Revline's customisations, permissions, limits and mapped products; `ok` is false when any check failed",
  })
  @ApiOkResponse({ type: VendorChecksDto })
  vendorChecks(@Query() query: VendorChecksQuery): Promise<VendorChecksDto> {
    return this.checks.run(parseMappedProducts(query.products));
  }

  @Post('vendors/fixes')
  @HttpCode(200)
  @Roles('integration.admin')
  @ApiOperation({
    summary:
      "Repairs the vendor's side through its API where it can (system-billing: creates or updates the Stripe webhook endpoint at STRIPE_WEBHOOK_URL); each repair reported as a check",
  })
  @ApiOkResponse({ type: VendorChecksDto })
  vendorFixes(): Promise<VendorChecksDto> {
    return this.checks.fix();
  }
}
