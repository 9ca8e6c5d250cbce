import { Controller, Get, Headers, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { AccountRunner } from '../account/account-runner';
import { TbaGuard } from '../auth/tba.guard';
import { NetSuiteError } from '../errors/netsuite-error';
import { NetSuiteErrorFilter } from '../errors/netsuite-error.filter';
import { RECORD_SCHEMAS, isRecordType } from './record-schemas';
import type { RecordType } from './record-schemas';

type JsonSchema = { type?: string; properties?: Partial<Record<string, JsonSchema>>; items?: JsonSchema };

/**
 * A record's schemas as the metadata catalogue names them in OpenAPI 3.0: `<type>` with its body fields, and
 * `<type>-<sublist>Element` with a sublist's line fields (custom column fields included).
 */
function recordSchemas(type: RecordType): Record<string, JsonSchema> {
  const record = z.toJSONSchema(RECORD_SCHEMAS[type], { unrepresentable: 'any', io: 'input' }) as JsonSchema;
  const out: Record<string, JsonSchema> = { [type]: { type: 'object', properties: record.properties ?? {} } };
  for (const [name, property] of Object.entries(record.properties ?? {})) {
    const line = property?.properties?.items?.items;
    if (line?.properties) out[`${type}-${name}Element`] = { type: 'object', properties: line.properties };
  }
  return out;
}

/**
 * `/services/rest/record/v1/metadata-catalog`: the record types, and with `Accept: application/swagger+json` their
 * OpenAPI 3.0 schemas (`select` restricting them), custom fields and records included, as NetSuite describes the
 * account's customisations.
 */
@ApiExcludeController()
@Controller('services/rest/record/v1/metadata-catalog')
@UseGuards(TbaGuard)
@UseFilters(NetSuiteErrorFilter)
export class MetadataCatalogController {
  constructor(private readonly account: AccountRunner) {}

  @Get()
  async metadataCatalog(
    @Query('select') select: string | undefined,
    @Headers('accept') accept: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.account.run(reply, 'read', () => {
      const types = this.selected(select);
      if (!accept?.includes('application/swagger+json'))
        return { status: 200, body: { items: types.map((name) => ({ name, links: [] })) } };
      const schemas = Object.assign({}, ...types.map(recordSchemas)) as Record<string, JsonSchema>;
      return {
        status: 200,
        headers: { 'content-type': 'application/swagger+json' },
        body: {
          openapi: '3.0.1',
          info: { title: 'NetSuite REST Record API', version: 'v1' },
          components: { schemas },
        },
      };
    });
  }

  private selected(select: string | undefined): RecordType[] {
    const all = Object.keys(RECORD_SCHEMAS) as RecordType[];
    if (!select) return all;
    return select.split(',').map((name) => {
      const type = all.find((t) => t.toLowerCase() === name.trim().toLowerCase());
      if (!type || !isRecordType(type))
        throw new NetSuiteError(400, 'INVALID_PARAMETER', `Record type ${name} in select is unknown`);
      return type;
    });
  }
}
