import { Injectable } from '@nestjs/common';
import type { VendorCheck, VendorCheckDto } from '@revline/platform';
import { VendorChecks, fail, pass, skip } from '@revline/platform';
import { SalesforceConfig } from '../config';
import { SalesforceApi } from '../salesforce/salesforce-api';
import type { RequiredObject } from './required-metadata';
import { CDC_OBJECTS, REQUIRED_SALESFORCE_METADATA } from './required-metadata';

interface DescribeField {
  name: string;
  createable: boolean;
  updateable: boolean;
}
interface Describe {
  name: string;
  createable: boolean;
  fields: DescribeField[];
}

const DEPLOY_FIX =
  'Deploy the metadata in vendor/salesforce to the org (`sf project deploy start`, see vendor/salesforce/README.md)';
const PERMISSION_FIX =
  "Assign the integration user the permission set in vendor/salesforce (it grants Revline's objects and fields)";
const CREDENTIALS_FIX = 'Fix the salesforce.credentials check first';
/** Below this share of the daily API allocation left, the preflight fails: Revline would start backing off. */
const MIN_API_HEADROOM = 0.1;

/** Fields an object lacks, and fields present that the integration user cannot write. */
function objectFindings(
  required: RequiredObject,
  describe: Describe,
): { missing: string[]; readOnly: string[] } {
  const byName = new Map(describe.fields.map((f) => [f.name.toLowerCase(), f]));
  const missing: string[] = [];
  const readOnly: string[] = [];
  for (const field of required.fields) {
    const found = byName.get(field.name.toLowerCase());
    if (!found) missing.push(`${required.name}.${field.name}`);
    else if (field.use === 'write' && !(found.updateable || (required.create && found.createable)))
      readOnly.push(`${required.name}.${field.name}`);
  }
  if (required.create && !describe.createable) readOnly.push(`${required.name} (create)`);
  return { missing, readOnly };
}

/**
 * The org's go-live checklist: the credentials and API version, Revline's custom fields and object (describe),
 * the integration user's access to them, Change Data Capture for Order and OrderItem, and the daily API allocation.
 */
@Injectable()
export class SalesforceChecks extends VendorChecks {
  constructor(
    private readonly api: SalesforceApi,
    private readonly config: SalesforceConfig,
  ) {
    super();
  }

  readonly vendor = 'salesforce';

  protected checks(): VendorCheck[] {
    return [this.credentials(), this.metadata(), this.changeDataCapture(), this.apiAllocation()];
  }

  private credentials(): VendorCheck {
    const id = 'salesforce.credentials';
    const title = `Credentials (${this.config.SALESFORCE_AUTH_FLOW} flow) and API version ${this.config.SALESFORCE_API_VERSION}`;
    return {
      id,
      title,
      fixOnError:
        'Check SALESFORCE_LOGIN_URL, SALESFORCE_AUTH_FLOW and its credentials, and that the connected app allows ' +
        'that flow for the integration user (docs/go-live.md)',
      run: async () => {
        const versions = await this.api.get<Array<{ version: string }>>('/services/data');
        const offered = versions.map((v) => v.version);
        return offered.includes(this.config.SALESFORCE_API_VERSION)
          ? pass(id, title, `logged in; the org offers API versions ${offered.at(0)} to ${offered.at(-1)}`)
          : fail(
              id,
              title,
              `the org does not offer API version ${this.config.SALESFORCE_API_VERSION} (it offers ${offered.join(', ')})`,
              `Set SALESFORCE_API_VERSION to one the org offers, ${offered.at(-1) ?? 'a newer one'}`,
            );
      },
    };
  }

  /** Two items from one round of describes: the fields and object present, then the user's access to them. */
  private metadata(): VendorCheck {
    const fieldsId = 'salesforce.custom-fields';
    const fieldsTitle = 'Revline custom fields and the Revline_Billing_Invoice__c object present';
    const accessId = 'salesforce.permissions';
    const accessTitle = 'Integration user can write Revline fields and create invoice records';
    return {
      id: fieldsId,
      title: fieldsTitle,
      fixOnError: CREDENTIALS_FIX,
      run: async () => {
        const missing: string[] = [];
        const readOnly: string[] = [];
        for (const required of REQUIRED_SALESFORCE_METADATA) {
          const describe = await this.describe(required.name);
          if (!describe) {
            missing.push(`${required.name} (object)`);
            continue;
          }
          const found = objectFindings(required, describe);
          missing.push(...found.missing);
          readOnly.push(...found.readOnly);
        }
        const count = REQUIRED_SALESFORCE_METADATA.reduce((n, o) => n + o.fields.length, 0);
        return [
          missing.length === 0
            ? pass(
                fieldsId,
                fieldsTitle,
                `all ${count} fields on ${REQUIRED_SALESFORCE_METADATA.length} objects`,
              )
            : fail(fieldsId, fieldsTitle, `missing: ${missing.join(', ')}`, DEPLOY_FIX),
          readOnly.length === 0
            ? pass(accessId, accessTitle, 'every Revline field present is writable by the integration user')
            : fail(
                accessId,
                accessTitle,
                `not writable by the integration user: ${readOnly.join(', ')}`,
                PERMISSION_FIX,
              ),
        ];
      },
    };
  }

  /** An object the user cannot see answers NOT_FOUND, as one that does not exist. */
  private async describe(object: string): Promise<Describe | undefined> {
    try {
      return await this.api.get<Describe>(`/sobjects/${object}/describe`);
    } catch (error) {
      if ((error as { errorCode?: string }).errorCode === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  private changeDataCapture(): VendorCheck {
    const id = 'salesforce.change-data-capture';
    const title = `Change Data Capture selected for ${CDC_OBJECTS.join(' and ')}`;
    return {
      id,
      title,
      fixOnError:
        'Give the integration user View Setup and Configuration (it reads the selection in Tooling API)',
      run: async (): Promise<VendorCheckDto> => {
        if (!this.config.SALESFORCE_CAPTURE_ENABLED)
          return skip(id, title, 'change capture is off (SALESFORCE_CAPTURE_ENABLED=false)');
        const soql =
          "SELECT SelectedEntity FROM PlatformEventChannelMember WHERE EventChannel = 'ChangeEvents'";
        const answer = await this.api.get<{ records: Array<{ SelectedEntity: string }> }>(
          `/tooling/query?q=${encodeURIComponent(soql)}`,
        );
        const selected = new Set(answer.records.map((r) => r.SelectedEntity));
        const absent = CDC_OBJECTS.filter((o) => !selected.has(`${o}ChangeEvent`));
        return absent.length === 0
          ? pass(id, title, `selected: ${CDC_OBJECTS.map((o) => `${o}ChangeEvent`).join(', ')}`)
          : fail(
              id,
              title,
              `not selected: ${absent.join(', ')} (the poller alone would catch changes late)`,
              'Select them in Setup > Change Data Capture, or deploy the PlatformEventChannelMember files in vendor/salesforce',
            );
      },
    };
  }

  private apiAllocation(): VendorCheck {
    const id = 'salesforce.api-allocation';
    const title = 'Daily API request allocation has headroom';
    return {
      id,
      title,
      fixOnError: CREDENTIALS_FIX,
      run: async () => {
        const limits =
          await this.api.get<Record<string, { Max: number; Remaining: number } | undefined>>('/limits');
        const daily = limits.DailyApiRequests;
        if (!daily)
          return fail(
            id,
            title,
            '/limits has no DailyApiRequests',
            'Use an edition with API access (Enterprise or above)',
          );
        const detail = `${daily.Remaining} of ${daily.Max} requests left in the rolling 24 hours`;
        return daily.Remaining >= daily.Max * MIN_API_HEADROOM
          ? pass(id, title, detail)
          : fail(
              id,
              title,
              detail,
              'Wait for the allocation to recover, find what else spends it, or buy more API calls from Salesforce',
            );
      },
    };
  }
}
