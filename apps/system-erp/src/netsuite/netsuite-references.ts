import { Injectable } from '@nestjs/common';
import { ErpRejectedError } from '@revline/erp-port';
import { NetSuiteConfig } from './netsuite.config';
import { NetSuiteClient } from './netsuite-client';
import { suiteQlRows } from './netsuite-suiteql';

/**
 * NetSuite internal ids behind Revline's codes: currencies (read once from the account with SuiteQL) and
 * subsidiaries (from configuration; a numeric code is taken as an internal id).
 */
@Injectable()
export class NetSuiteReferences {
  private currencies?: Promise<Map<string, string>>;
  private readonly subsidiaries: Map<string, string>;

  constructor(
    private readonly client: NetSuiteClient,
    config: NetSuiteConfig,
  ) {
    this.subsidiaries = new Map(
      config.NETSUITE_SUBSIDIARY_IDS.split(',').map((pair) => pair.split('=') as [string, string]),
    );
  }

  subsidiaryId(code: string): string {
    if (/^\d+$/.test(code)) return code;
    const id = this.subsidiaries.get(code);
    if (!id) {
      throw new ErpRejectedError(
        'validation',
        'UNMAPPED_SUBSIDIARY',
        `Subsidiary ${code} has no NetSuite id (NETSUITE_SUBSIDIARY_IDS)`,
        'subsidiary',
      );
    }
    return id;
  }

  async currencyId(code: string): Promise<string> {
    const id = (await this.currencyTable()).get(code);
    if (!id)
      throw new ErpRejectedError(
        'validation',
        'UNKNOWN_CURRENCY',
        `Currency ${code} is not enabled in NetSuite`,
        'currency',
      );
    return id;
  }

  async currencyCode(id: string): Promise<string> {
    for (const [code, currencyId] of await this.currencyTable()) if (currencyId === id) return code;
    throw new ErpRejectedError(
      'validation',
      'UNKNOWN_CURRENCY',
      `NetSuite currency ${id} is unknown`,
      'currency',
    );
  }

  private currencyTable(): Promise<Map<string, string>> {
    this.currencies ??= suiteQlRows(this.client, 'SELECT id, symbol FROM currency')
      .then((rows) => new Map(rows.map((r) => [r.symbol ?? '', r.id ?? ''])))
      .catch((error: unknown) => {
        this.currencies = undefined;
        throw error;
      });
    return this.currencies;
  }
}
