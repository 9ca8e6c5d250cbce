import { Injectable } from '@nestjs/common';
import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { SalesforceSandboxConfig } from '../sandbox-config';

/**
 * Custom fields the org is started without (SANDBOX_SF_ABSENT_FIELDS): gone from describe and unknown to every
 * call, as in a customer's org where that field was never deployed. Applied over whatever field list the org
 * loaded, so a test can show what Revline does, and what its preflight says, when one is missing.
 */
const absent = new Set<string>();

const key = (object: string, field: string): string => `${object}.${field}`.toLowerCase();

/** `Object.Field` names separated by commas (`Order.Revline_ERP_Id__c`); an empty list restores every field. */
export function setAbsentFields(list: string): void {
  absent.clear();
  for (const name of list
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean)) {
    const [object = '', field = ''] = name.split('.');
    absent.add(key(object, field));
  }
}

export function isAbsentField(object: string, field: string): boolean {
  return absent.size > 0 && absent.has(key(object, field));
}

/** Applies SANDBOX_SF_ABSENT_FIELDS while the sandbox runs. */
@Injectable()
export class AbsentFields implements OnModuleInit, OnModuleDestroy {
  constructor(private readonly config: SalesforceSandboxConfig) {}

  onModuleInit(): void {
    setAbsentFields(this.config.SANDBOX_SF_ABSENT_FIELDS);
  }

  onModuleDestroy(): void {
    setAbsentFields('');
  }
}
