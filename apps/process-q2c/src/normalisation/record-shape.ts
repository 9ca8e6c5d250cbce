/**
 * system-salesforce may send the order as Salesforce returns it (Order fields, `Account`, `OrderItems.records[]`
 * with `Product2`), or as its CRM DTO (`fields`, `account.fields`, `lines[].fields`, `products[].fields`: the
 * vendor's own field values by API name). Mappings are written against the Salesforce shape, which admins know;
 * this rebuilds it from the DTO so both work.
 */
export function salesforceShape(record: Record<string, unknown>): Record<string, unknown> {
  const fields = record.fields;
  const lines = record.lines;
  if (!isRecord(fields) || !Array.isArray(lines)) return record;
  const products = new Map<string, Record<string, unknown>>();
  for (const product of Array.isArray(record.products) ? record.products : []) {
    if (isRecord(product) && typeof product.id === 'string') {
      products.set(product.id, isRecord(product.fields) ? product.fields : {});
    }
  }
  const account = isRecord(record.account) ? record.account : null;
  return {
    ...fields,
    Account: account && isRecord(account.fields) ? account.fields : null,
    OrderItems: {
      records: lines.filter(isRecord).map((line) => {
        const product = typeof line.productId === 'string' ? products.get(line.productId) : undefined;
        const code = typeof line.productCode === 'string' ? { ProductCode: line.productCode } : null;
        return { ...(isRecord(line.fields) ? line.fields : {}), Product2: product ?? code };
      }),
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
