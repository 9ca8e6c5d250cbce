import { IsIn } from 'class-validator';

export const SANDBOX_PROFILES = ['fast', 'realistic'] as const;
export type SandboxProfile = (typeof SANDBOX_PROFILES)[number];

/**
 * How the sandbox behaves under load. `fast` (the default, for tests) answers at once with no rate limits;
 * `realistic` behaves as the vendors do: NetSuite answers each request after a latency within its account's
 * concurrency limit, Stripe answers 429 beyond its rate limits, Salesforce refuses calls past the org's daily
 * allocation. Each vendor's numbers are settings of its own namespace.
 */
export class SandboxProfileConfig {
  @IsIn(SANDBOX_PROFILES, { message: `must be one of ${SANDBOX_PROFILES.join(', ')}` })
  SANDBOX_PROFILE: SandboxProfile = 'fast';

  get realistic(): boolean {
    return this.SANDBOX_PROFILE === 'realistic';
  }
}
