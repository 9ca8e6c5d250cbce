import { Injectable } from '@nestjs/common';
import type { MappedProduct, VendorCheck } from '@revline/platform';
import { ErpRejectedError } from '@revline/erp-port';
import { VendorChecks, fail, pass, skip } from '@revline/platform';
import { NetSuiteConfig } from '../netsuite/netsuite.config';
import { NetSuiteClient } from '../netsuite/netsuite-client';
import { sqlText, suiteQlRows } from '../netsuite/netsuite-suiteql';
import { REQUIRED_NETSUITE_FIELDS, REQUIRED_NETSUITE_RECORDS } from './required-metadata';

/** `GET /services/rest/system/v1/governanceLimits`, as NetSuite documents it. */
interface GovernanceLimits {
  accountConcurrencyLimit: number;
  accountUnallocatedConcurrencyLimit: number;
  integrationConcurrencyLimit?: number;
  integrationLimitType: 'integrationSpecific' | 'accountLimit' | 'internal';
}

type Catalogue = {
  components?: { schemas?: Partial<Record<string, { properties?: Record<string, unknown> }>> };
};

const CREDENTIALS_FIX = 'Fix the netsuite.credentials check first';
/** The record types Revline creates and updates through the REST record API. */
const POSTED_RECORD_TYPES = [
  'customer',
  'invoice',
  'creditMemo',
  'journalEntry',
  'customrecord_rl_revenue_schedule',
];
/** An external id no record has, for a read that only asks whether the role reaches a type. */
const PROBE_ID = 'revline-preflight-probe';
const ROLE_FIX =
  "Give the integration role the permissions in vendor/netsuite's role (REST Web Services, SuiteAnalytics Workbook, " +
  'Lists > Items, Setup > Accounting Periods, Transactions, the custom record type)';

/** Field names a schema lacks, as `schema.field`. */
function missingFields(catalogue: Catalogue): string[] {
  const schemas = catalogue.components?.schemas ?? {};
  return Object.entries(REQUIRED_NETSUITE_FIELDS).flatMap(([schema, fields]) => {
    const properties = schemas[schema]?.properties;
    if (!properties) return [`${schema} (record or sublist)`];
    return fields.filter((f) => !(f in properties)).map((f) => `${schema}.${f}`);
  });
}

/**
 * The account's go-live checklist: the token-based credentials, Revline's custom fields and record (the REST
 * metadata catalogue), open accounting periods, and an item for every product of the active mapping.
 */
@Injectable()
export class NetSuiteChecks extends VendorChecks {
  constructor(
    private readonly client: NetSuiteClient,
    private readonly config: NetSuiteConfig,
  ) {
    super();
  }

  readonly vendor = 'netsuite';

  protected checks(products: MappedProduct[]): VendorCheck[] {
    return [
      this.credentials(),
      this.concurrency(),
      this.permissions(),
      this.customFields(),
      this.openPeriods(),
      this.items(products),
    ];
  }

  private credentials(): VendorCheck {
    const id = 'netsuite.credentials';
    const title = `Token-based credentials for account ${this.config.NETSUITE_ACCOUNT}, REST and SuiteQL enabled`;
    return {
      id,
      title,
      fixOnError:
        'Check NETSUITE_BASE_URL, NETSUITE_ACCOUNT, the consumer key and secret of the integration record and the ' +
        'token id and secret of the integration role (docs/go-live.md); enable REST Web Services in the account',
      run: async () => {
        const currencies = await suiteQlRows(this.client, 'SELECT id, symbol FROM currency');
        return pass(
          id,
          title,
          `signed requests accepted; ${currencies.length} currencies; Revline keeps to ${this.config.NETSUITE_CONCURRENCY_LIMIT} concurrent requests (NETSUITE_CONCURRENCY_LIMIT)`,
        );
      },
    };
  }

  /**
   * The threads the account gives this integration (its own allocation, or the account's unallocated ones) against
   * the client-side limit Revline keeps to: set higher, every burst would meet 429s.
   */
  private concurrency(): VendorCheck {
    const id = 'netsuite.concurrency';
    const title = "Revline's concurrent requests within the account's governance limits";
    const configured = this.config.NETSUITE_CONCURRENCY_LIMIT;
    return {
      id,
      title,
      fixOnError: CREDENTIALS_FIX,
      run: async () => {
        let limits: GovernanceLimits;
        try {
          limits = (
            await this.client.request({ method: 'GET', path: '/services/rest/system/v1/governanceLimits' })
          ).data as GovernanceLimits;
        } catch (error) {
          if (error instanceof ErpRejectedError && error.category === 'authentication')
            return skip(
              id,
              title,
              `NetSuite answers governanceLimits to administrators only (${error.message}); compare ` +
                `NETSUITE_CONCURRENCY_LIMIT (${configured}) with Setup > Integration > Integration Management > ` +
                'Integration Governance',
            );
          throw error;
        }
        const own = limits.integrationLimitType === 'integrationSpecific';
        const allowed = own
          ? (limits.integrationConcurrencyLimit ?? 0)
          : limits.accountUnallocatedConcurrencyLimit;
        const source = own
          ? `the ${allowed} threads allocated to this integration`
          : `the account's ${allowed} unallocated threads (of ${limits.accountConcurrencyLimit})`;
        return configured <= allowed
          ? pass(id, title, `NETSUITE_CONCURRENCY_LIMIT ${configured} within ${source}`)
          : fail(
              id,
              title,
              `NETSUITE_CONCURRENCY_LIMIT is ${configured}, above ${source}: bursts would be refused with 429`,
              `Set NETSUITE_CONCURRENCY_LIMIT to ${allowed} or less, or allocate more threads to the integration in ` +
                'Integration Governance (Setup > Integration > Integration Management)',
            );
      },
    };
  }

  /**
   * Each record type Revline reads and writes, probed with a read of an external id nobody uses: 404 says the role
   * reaches the type, 403 names the permission it lacks. NetSuite has no dry run for writes, so a role that can view
   * a type but not create on it passes here and is refused at its first write, in the workbench with NetSuite's
   * message.
   */
  private permissions(): VendorCheck {
    const id = 'netsuite.permissions';
    const title = 'The integration role reaches every record type Revline posts';
    return {
      id,
      title,
      fixOnError: `${CREDENTIALS_FIX}; ${ROLE_FIX}`,
      run: async () => {
        const refused: string[] = [];
        for (const type of POSTED_RECORD_TYPES) {
          try {
            await this.client.request({
              method: 'GET',
              path: `/services/rest/record/v1/${type}/eid:${PROBE_ID}`,
            });
          } catch (error) {
            if (!(error instanceof ErpRejectedError)) throw error;
            if (error.category === 'authentication') refused.push(`${type}: ${error.message}`);
            else if (error.category !== 'not_found') throw error;
          }
        }
        return refused.length === 0
          ? pass(id, title, `${POSTED_RECORD_TYPES.join(', ')} reachable`)
          : fail(id, title, refused.join('; '), ROLE_FIX);
      },
    };
  }

  private customFields(): VendorCheck {
    const id = 'netsuite.custom-fields';
    const title = 'Revline custom fields and the customrecord_rl_revenue_schedule record present';
    return {
      id,
      title,
      fixOnError: `${CREDENTIALS_FIX}; the role also needs to see the records (${ROLE_FIX})`,
      run: async () => {
        const response = await this.client.request({
          method: 'GET',
          path: `/services/rest/record/v1/metadata-catalog?select=${REQUIRED_NETSUITE_RECORDS.join(',')}`,
          accept: 'application/swagger+json',
        });
        const missing = missingFields(response.data as Catalogue);
        return missing.length === 0
          ? pass(
              id,
              title,
              `all ${Object.values(REQUIRED_NETSUITE_FIELDS).flat().length} fields on ${REQUIRED_NETSUITE_RECORDS.length} record types`,
            )
          : fail(
              id,
              title,
              `missing: ${missing.join(', ')}`,
              'Deploy the SDF project in vendor/netsuite (`suitecloud project:deploy`, see vendor/netsuite/README.md), ' +
                'and apply the column fields to the sale and journal transaction types',
            );
      },
    };
  }

  private openPeriods(): VendorCheck {
    const id = 'netsuite.accounting-periods';
    const title = 'Open posting periods for invoices and revenue journals';
    return {
      id,
      title,
      fixOnError: `${CREDENTIALS_FIX}; ${ROLE_FIX}`,
      run: async () => {
        const rows = await suiteQlRows(
          this.client,
          "SELECT id, periodname FROM accountingperiod WHERE isposting = 'T' AND closed = 'F' ORDER BY id",
        );
        return rows.length > 0
          ? pass(
              id,
              title,
              `${rows.length} open, from ${rows[0]?.periodname ?? '?'} to ${rows.at(-1)?.periodname ?? '?'}`,
            )
          : fail(
              id,
              title,
              'no open posting period: every posting would be refused',
              'Set up the fiscal calendar and open the current period (Setup > Accounting > Manage Accounting Periods)',
            );
      },
    };
  }

  private items(products: MappedProduct[]): VendorCheck {
    const id = 'netsuite.items';
    const title = 'A NetSuite item for every product of the active mapping';
    return {
      id,
      title,
      fixOnError: `${CREDENTIALS_FIX}; ${ROLE_FIX}`,
      run: async () => {
        if (products.length === 0)
          return skip(id, title, 'no mapped products given (npm run preflight passes the active mapping)');
        const ids = [...new Set(products.map((p) => p.vendorId))];
        const rows = await suiteQlRows(
          this.client,
          `SELECT externalid, isinactive FROM item WHERE externalid IN (${ids.map(sqlText).join(', ')})`,
        );
        const active = new Set(rows.filter((r) => r.isinactive !== 'T').map((r) => r.externalid));
        const absent = products.filter((p) => !active.has(p.vendorId));
        return absent.length === 0
          ? pass(id, title, `${products.length} products, each with an active item`)
          : fail(
              id,
              title,
              absent.map((p) => `${p.productCode}: no active item with external id ${p.vendorId}`).join('; '),
              'Create the item in NetSuite with that external id, or map the product to an existing item (a new mapping version, approved)',
            );
      },
    };
  }
}
