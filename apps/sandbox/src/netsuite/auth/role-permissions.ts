import { Injectable } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { NetSuiteError } from '../errors/netsuite-error';
import { NetSuiteSandboxConfig } from '../netsuite-sandbox.config';
import { NETSUITE_METADATA } from '../records/custom-field-schemas';
import type { RecordType } from '../records/record-schemas';

/** NetSuite's permission levels, lowest first. */
const LEVELS = ['NONE', 'VIEW', 'CREATE', 'EDIT', 'FULL'] as const;
export type PermissionLevel = (typeof LEVELS)[number];

/** The permission each record type of the REST record API needs, as SDF keys it and the UI names it. */
export const RECORD_PERMISSIONS: Readonly<Record<RecordType, { permkey: string; name: string }>> = {
  customer: { permkey: 'LIST_CUSTJOB', name: 'Lists -> Customers' },
  invoice: { permkey: 'TRAN_CUSTINVC', name: 'Transactions -> Invoice' },
  creditMemo: { permkey: 'TRAN_CUSTCRED', name: 'Transactions -> Credit Memo' },
  customerPayment: { permkey: 'TRAN_CUSTPYMT', name: 'Transactions -> Customer Payment' },
  journalEntry: { permkey: 'TRAN_JOURNAL', name: 'Transactions -> Make Journal Entry' },
  customrecord_rl_revenue_schedule: {
    permkey: '[scriptid=customrecord_rl_revenue_schedule]',
    name: 'Custom Record -> Revline Revenue Schedule',
  },
  serviceSaleItem: { permkey: 'LIST_ITEM', name: 'Lists -> Items' },
};

const rank = (level: string): number => LEVELS.indexOf(level as PermissionLevel);

/**
 * The integration role's permissions, read from the role in the SDF project a customer deploys, less the ones
 * `SANDBOX_NETSUITE_ROLE_WITHOUT` takes away: a REST record request on a type the role cannot reach at the level it
 * needs (view to read, create to add, edit to change, full to delete) is refused as NetSuite refuses it.
 */
@Injectable()
export class RolePermissions implements OnModuleInit {
  private granted = new Map<string, number>();

  constructor(private readonly config: NetSuiteSandboxConfig) {}

  onModuleInit(): void {
    const without = new Set(
      this.config.SANDBOX_NETSUITE_ROLE_WITHOUT.split(',')
        .map((k) => k.trim())
        .filter(Boolean),
    );
    this.granted = new Map(
      NETSUITE_METADATA.rolePermissions
        .filter((p) => !without.has(p.permkey))
        .map((p) => [p.permkey, rank(p.permlevel)]),
    );
  }

  /** Throws NetSuite's 403 INSUFFICIENT_PERMISSION unless the role holds `type`'s permission at `level` or above. */
  require(type: RecordType, level: Exclude<PermissionLevel, 'NONE'>): void {
    const { permkey, name } = RECORD_PERMISSIONS[type];
    const held = this.granted.get(permkey) ?? 0;
    if (held >= rank(level)) return;
    throw new NetSuiteError(
      403,
      'INSUFFICIENT_PERMISSION',
      held > 0
        ? `Permission Violation: You need a higher level of the '${name}' permission to access this page. Please contact your account administrator.`
        : `Permission Violation: You need the '${name}' permission to access this page. Please contact your account administrator.`,
    );
  }
}
