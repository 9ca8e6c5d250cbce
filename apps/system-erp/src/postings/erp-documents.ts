import type { ErpDocument } from '@revline/erp-port';
import { toErpExternalId } from '@revline/erp-port';
import type { z } from 'zod';
import type { DocumentCommand } from './payload-schemas';

/** An invoice or credit memo command in the port's terms: external ids made ERP-safe, the subsidiary defaulted. */
export function toErpDocument(
  command: z.infer<typeof DocumentCommand>,
  defaultSubsidiary: string,
): ErpDocument {
  return {
    externalId: toErpExternalId(command.externalId),
    customerExternalId: toErpExternalId(command.customerExternalId),
    subsidiary: command.subsidiary ?? defaultSubsidiary,
    currency: command.currency,
    tranDate: command.tranDate,
    ...(command.contractId ? { contractId: command.contractId } : {}),
    ...(command.appliesToExternalId
      ? { appliesToExternalId: toErpExternalId(command.appliesToExternalId) }
      : {}),
    ...(command.memo ? { memo: command.memo } : {}),
    lines: command.lines,
  };
}
