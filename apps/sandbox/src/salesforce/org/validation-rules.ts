import { badRequest } from './errors';
import type { ObjectDef } from './schema';
import type { RecordValues } from './values';

/**
 * A validation rule an org admin added (Setup → Object Manager → Validation Rules), in the one shape the sandbox
 * offers: a write that sets `field` of `object` to a value is refused with the rule's message, as Salesforce
 * refuses it: FIELD_CUSTOM_VALIDATION_EXCEPTION naming the field.
 */
export interface ValidationRule {
  object: string;
  field: string;
  message: string;
}

/** The org's validation rules, kept beside its records. */
export class ValidationRules {
  private rules: ValidationRule[] = [];

  get all(): readonly ValidationRule[] {
    return this.rules;
  }

  add(rule: ValidationRule): void {
    this.rules = [...this.rules.filter((r) => r.object !== rule.object || r.field !== rule.field), rule];
  }

  clear(): void {
    this.rules = [];
  }

  /** Refuses a write that sets (to another value) a field a rule guards. */
  check(def: ObjectDef, before: RecordValues | undefined, record: RecordValues): void {
    for (const rule of this.rules) {
      if (rule.object !== def.name || !(rule.field in record)) continue;
      const value = record[rule.field] ?? null;
      if (value === null || value === (before?.[rule.field] ?? null)) continue;
      throw badRequest('FIELD_CUSTOM_VALIDATION_EXCEPTION', rule.message, [rule.field]);
    }
  }
}
