import { z } from 'zod';
import { AmendmentTermsSchema } from './schemas/contract-amended';
import { ContractTermsSchema } from './schemas/contract-booked';
import { ContractLineSchema } from './schemas/contract-line';
import { EVENT_SCHEMAS } from './schemas/events';
import { MoneySchema } from './schemas/primitives';

const SHARED: Record<string, z.ZodType> = {
  Money: MoneySchema,
  ContractLine: ContractLineSchema,
  ContractTerms: ContractTermsSchema,
  AmendmentTerms: AmendmentTermsSchema,
};

/**
 * JSON Schema (draft 2020-12) of every canonical event and shared type, keyed by name; the
 * foundation script writes each to openapi/schemas/<Name>.json. Pure: same output every call.
 */
export function canonicalJsonSchemas(): Record<string, object> {
  const out: Record<string, object> = {};
  const all: Record<string, z.ZodType> = { ...EVENT_SCHEMAS, ...SHARED };
  for (const [name, schema] of Object.entries(all).sort(([a], [b]) => a.localeCompare(b))) {
    const json = z.toJSONSchema(schema, {
      target: 'draft-2020-12',
      io: 'input',
      unrepresentable: 'any',
      reused: 'inline',
    });
    out[name] = { $id: `https://revline.dev/schemas/canonical/v1/${name}.json`, title: name, ...json };
  }
  return out;
}
