// Waiting for Revline and the vendors: poll until a condition holds, or fail saying what was last seen.
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function until(what, probe, timeoutMs = Number(process.env.DEMO_STEP_TIMEOUT_MS ?? 120_000)) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last?.done) return last.value;
    } catch (error) {
      if (error?.status !== 404) throw error;
      last = { seen: 'not known yet' };
    }
    if (Date.now() > deadline)
      throw new Error(
        `${what}: not within ${timeoutMs / 1000} s; last seen ${JSON.stringify(last?.seen ?? last)}`,
      );
    await sleep(500);
  }
}

/** Advances a Stripe test clock and waits until Stripe has run what that set off (renewals, invoices). */
export async function advanceClock(stripe, clockId, isoTime) {
  await stripe.testHelpers.testClocks.advance(clockId, {
    frozen_time: Math.floor(Date.parse(isoTime) / 1000),
  });
  await until(`Stripe test clock at ${isoTime}`, async () => {
    const clock = await stripe.testHelpers.testClocks.retrieve(clockId);
    return { done: clock.status === 'ready', seen: clock.status };
  });
}
