import { Connection } from 'jsforce';

export const SANDBOX_CREDENTIALS = {
  clientId: 'revline-sandbox',
  clientSecret: 'revline-sandbox-secret',
  username: 'admin@revline.sandbox',
  password: 'sandbox',
};

/** A jsforce connection logged into the Salesforce sandbox at `loginUrl` as its admin (username-password flow). */
export async function loginToSandbox(
  loginUrl: string,
  options: { maxRequest?: number } = {},
): Promise<Connection> {
  const conn = new Connection({
    oauth2: {
      loginUrl,
      clientId: SANDBOX_CREDENTIALS.clientId,
      clientSecret: SANDBOX_CREDENTIALS.clientSecret,
    },
    version: '60.0',
    ...options,
  });
  await conn.login(SANDBOX_CREDENTIALS.username, SANDBOX_CREDENTIALS.password);
  return conn;
}

export interface Catalogue {
  accountId: string;
  pricebookId: string;
  seatsEntryId: string;
  analyticsEntryId: string;
  seatsProductId: string;
}

interface SaveResult {
  id?: string;
  success: boolean;
  errors: unknown[];
}

function idOf(result: SaveResult | SaveResult[]): string {
  const one = Array.isArray(result) ? result.at(0) : result;
  if (!one?.success || !one.id) throw new Error(`save failed: ${JSON.stringify(result)}`);
  return one.id;
}

/** An account, two products priced in the standard and a custom price book: the booking scenario every Revline test knows. */
export async function seedCatalogue(conn: Connection, name = 'Acme Corp'): Promise<Catalogue> {
  const standard = (
    await conn.query<{ Id: string }>('SELECT Id FROM Pricebook2 WHERE IsStandard = true')
  ).records.at(0);
  if (!standard) throw new Error('no standard price book');
  const accountId = idOf(await conn.sobject('Account').create({ Name: name, CurrencyIsoCode: 'USD' }));
  const seatsProductId = idOf(
    await conn
      .sobject('Product2')
      .create({ Name: 'Seats', ProductCode: 'SEAT', SBQQ__ChargeType__c: 'Recurring' }),
  );
  const analyticsId = idOf(
    await conn.sobject('Product2').create({ Name: 'Premium analytics', ProductCode: 'ANALYTICS' }),
  );
  const pricebookId = idOf(await conn.sobject('Pricebook2').create({ Name: 'Revline list' }));
  for (const product of [seatsProductId, analyticsId]) {
    idOf(
      await conn
        .sobject('PricebookEntry')
        .create({ Pricebook2Id: standard.Id, Product2Id: product, UnitPrice: 1200 }),
    );
  }
  const seatsEntryId = idOf(
    await conn
      .sobject('PricebookEntry')
      .create({ Pricebook2Id: pricebookId, Product2Id: seatsProductId, UnitPrice: 1200 }),
  );
  const analyticsEntryId = idOf(
    await conn
      .sobject('PricebookEntry')
      .create({ Pricebook2Id: pricebookId, Product2Id: analyticsId, UnitPrice: 3000 }),
  );
  return { accountId, pricebookId, seatsEntryId, analyticsEntryId, seatsProductId };
}

/** `count` more accounts in USD, created 200 at a time through composite collections. */
export async function createAccounts(
  conn: Connection,
  count: number,
  prefix = 'Customer',
): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < count; start += 200) {
    const accounts = Array.from({ length: Math.min(200, count - start) }, (_, i) => ({
      Name: `${prefix} ${String(start + i + 1)}`,
      CurrencyIsoCode: 'USD',
    }));
    for (const r of (await conn.sobject('Account').create(accounts)) as SaveResult[]) ids.push(idOf(r));
  }
  return ids;
}

/**
 * Draft orders with one line each, created 200 at a time through composite collections: on the catalogue's account,
 * or round the `accountIds` given in turn.
 */
export async function createDraftOrders(
  conn: Connection,
  catalogue: Catalogue,
  count: number,
  accountIds: readonly string[] = [catalogue.accountId],
): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < count; start += 200) {
    const size = Math.min(200, count - start);
    const orders = Array.from({ length: size }, (_, i) => ({
      AccountId: accountIds[(start + i) % accountIds.length],
      Pricebook2Id: catalogue.pricebookId,
      EffectiveDate: '2026-01-01',
      EndDate: '2026-12-31',
      Status: 'Draft',
    }));
    const created = (await conn.sobject('Order').create(orders)) as SaveResult[];
    const orderIds = created.map((r) => idOf(r));
    const items = orderIds.map((orderId) => ({
      OrderId: orderId,
      PricebookEntryId: catalogue.seatsEntryId,
      Quantity: 10,
      UnitPrice: 1200,
    }));
    for (const r of (await conn.sobject('OrderItem').create(items)) as SaveResult[]) idOf(r);
    ids.push(...orderIds);
  }
  return ids;
}

/** Activates orders in one transaction per 200: they share a SystemModstamp and one merged change event. */
export async function activateOrders(conn: Connection, orderIds: readonly string[]): Promise<void> {
  for (let start = 0; start < orderIds.length; start += 200) {
    const batch = orderIds.slice(start, start + 200).map((Id) => ({ Id, Status: 'Activated' }));
    for (const r of (await conn.sobject('Order').update(batch)) as SaveResult[]) idOf(r);
  }
}
