import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Min } from 'class-validator';
import { GenerationDto, generatedNumber as pad } from '../../generation.dto';
import { RecordsService } from '../records/records.service';

export class GenerateNetSuiteDto extends GenerationDto {
  /** Drift planted on invoices i with i mod driftEvery = 1 (missing), 2 (one cent more), 3 (a day later). */
  @IsOptional() @Type(() => Number) @IsInt() @Min(4) driftEvery?: number;
}

export interface GenerateNetSuiteResult {
  invoices: number;
  planted: { missing_in_erp: number; amount_mismatch: number; date_mismatch: number };
  seconds: number;
}

const major = (minor: number): string =>
  `${String(Math.trunc(minor / 100))}.${String(minor % 100).padStart(2, '0')}`;
const day = (unix: number, plusDays = 0): string =>
  new Date((unix + plusDays * 86_400) * 1000).toISOString().slice(0, 10);

/**
 * Bulk generation for benches: the ERP invoices Revline would have posted for the Stripe sandbox's generated
 * invoices (external id `INV-in_<seed>_<i>`, one item line of the invoice's total, dated the invoice's day), each
 * written through the same validation, preparation and ledger posting as a REST create, without the HTTP round
 * trip. Drift is planted deterministically. Not a NetSuite route.
 */
@ApiTags('sandbox')
@Controller('sandbox/netsuite')
export class NetSuiteGenerateController {
  constructor(private readonly records: RecordsService) {}

  @Post('generate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Writes the ERP invoices mirroring generated Stripe invoices, with planted drift',
  })
  @ApiOkResponse({ description: '{ invoices, planted, seconds }' })
  generate(@Body() body: GenerateNetSuiteDto): GenerateNetSuiteResult {
    const started = Date.now();
    const { invoices, linesPerInvoice, seed, createdFrom } = body;
    const driftEvery = body.driftEvery ?? Number.MAX_SAFE_INTEGER;
    const contractPrefix = body.contractPrefix ?? `801${seed}`;
    const customer = `CUS-${seed}`;
    this.records.upsert('customer', `eid:${customer}`, {
      companyName: `Generated ${seed}`,
      subsidiary: { id: '1' },
      currency: { id: '1' },
    });
    const planted = { missing_in_erp: 0, amount_mismatch: 0, date_mismatch: 0 };
    for (let i = 0; i < invoices; i++) {
      const kind = i % driftEvery;
      if (kind === 1) {
        planted.missing_in_erp += 1;
        continue;
      }
      const created = createdFrom + i * (body.spacingSeconds ?? 1);
      const total = (1000 + (i % 97)) * linesPerInvoice + (kind === 2 ? 1 : 0);
      if (kind === 2) planted.amount_mismatch += 1;
      if (kind === 3) planted.date_mismatch += 1;
      this.records.upsert('invoice', `eid:INV-in_${seed}_${pad(i)}`, {
        entity: { externalId: customer },
        tranDate: day(created, kind === 3 ? 1 : 0),
        subsidiary: { id: '1' },
        currency: { id: '1' },
        custbody_rl_contract: `${contractPrefix}${pad(i)}`,
        // As the adapter sends them: the contract on the line too (NetSuite copies no body field onto lines).
        item: {
          items: [
            {
              item: { externalId: 'SEAT' },
              amount: major(total),
              custcol_rl_contract: `${contractPrefix}${pad(i)}`,
            },
          ],
        },
      });
    }
    return { invoices, planted, seconds: (Date.now() - started) / 1000 };
  }
}
