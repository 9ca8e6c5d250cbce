// The price book the demo bills from. The default mapping prices seats and the premium module by the month; the example
// bills a year in advance, so an admin adds yearly prices in Stripe (the stripe SDK, found again by lookup
// key on a later run) and maps the two products to them through a proposal another person approves.
import { experience, processApi } from './clients.mjs';
import { heading, note } from './report.mjs';

const YEARLY = [
  { code: 'SEAT', lookupKey: 'revline_demo_seat_yearly', product: 'Seats', unitAmount: 120_000, ssp: '1200' },
  {
    code: 'ANALYTICS-PREMIUM',
    lookupKey: 'revline_demo_analytics_premium_yearly',
    product: 'Premium analytics',
    unitAmount: 300_000,
    ssp: '3000',
  },
];

async function yearlyPrice(stripe, { lookupKey, product, unitAmount }) {
  const found = (await stripe.prices.list({ lookup_keys: [lookupKey], limit: 1 })).data[0];
  if (found) return found.id;
  const { id } = await stripe.products.create({ name: product });
  return (
    await stripe.prices.create({
      product: id,
      currency: 'usd',
      unit_amount: unitAmount,
      recurring: { interval: 'year' },
      lookup_key: lookupKey,
    })
  ).id;
}

/** Proposes with the version it builds on; a platform that does not take `baseVersion` yet gets the proposal without. */
async function propose(q2c, active, definition, summary) {
  try {
    return await q2c('/v1/mappings/versions', {
      method: 'POST',
      body: { summary, definition, baseVersion: active.version },
    });
  } catch (error) {
    if (error.status !== 400 || !JSON.stringify(error.body).includes('baseVersion')) throw error;
    return q2c('/v1/mappings/versions', { method: 'POST', body: { summary, definition } });
  }
}

export async function mapYearlyPrices(stripe) {
  heading('Catalogue: yearly Stripe prices for seats and the premium module, mapped by maker and checker');
  const prices = {};
  for (const p of YEARLY) prices[p.code] = await yearlyPrice(stripe, p);
  const q2c = processApi();
  const active = await q2c('/v1/mappings/active');
  const definition = active.definition;
  const current = (code) => definition.productCatalogue.find((e) => e.productCode === code);
  if (YEARLY.every((p) => current(p.code)?.billingPriceId === prices[p.code])) {
    note(`mapping version ${active.version} already bills ${Object.values(prices).join(', ')}`);
    return;
  }
  const proposal = {
    ...definition,
    productCatalogue: definition.productCatalogue.map((entry) => {
      const yearly = YEARLY.find((p) => p.code === entry.productCode);
      return yearly
        ? { ...entry, billingPriceId: prices[entry.productCode], unitPricePeriod: 'year', ssp: yearly.ssp }
        : entry;
    }),
  };
  // Maker and checker: two people, each with a key of their own for this run, revoked once the change is approved.
  // Maker-checker compares owners, so the admin key cannot check a change made with a key it minted, nor the reverse.
  const admin = experience();
  const mintFor = (owner, name) =>
    admin('/v1/api-keys', { method: 'POST', body: { name, owner, roles: ['integration.admin'] } });
  const maker = await mintFor('demo:maker', 'demo maker');
  const checker = await mintFor('demo:checker', 'demo checker');
  let proposed;
  try {
    proposed = await propose(
      processApi(maker.key),
      active,
      proposal,
      'Seats and premium analytics billed yearly (demo)',
    );
    await processApi(checker.key)(`/v1/mappings/versions/${proposed.version}/approve`, {
      method: 'POST',
      body: { reason: 'Yearly prices checked in Stripe' },
    });
  } finally {
    for (const { apiKey } of [maker, checker]) await admin(`/v1/api-keys/${apiKey.id}`, { method: 'DELETE' });
  }
  note(
    `mapping version ${proposed.version} active: SEAT → ${prices.SEAT}, ANALYTICS-PREMIUM → ${prices['ANALYTICS-PREMIUM']}`,
  );
}
