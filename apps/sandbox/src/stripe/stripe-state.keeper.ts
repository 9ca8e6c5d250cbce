import { Injectable } from '@nestjs/common';
import { SandboxStateConfig } from '../persistence/sandbox-state.config';
import { StateKeeper } from '../persistence/state-keeper';
import { seedDefaultCatalogue } from './seed/default-catalogue';
import type { StripeSnapshot } from './state/store';
import { StripeStore } from './state/store';

/** The account across restarts: every object, the event log, idempotency keys and document numbering. */
@Injectable()
export class StripeStateKeeper extends StateKeeper<StripeSnapshot> {
  protected readonly vendor = 'stripe';

  constructor(
    settings: SandboxStateConfig,
    private readonly store: StripeStore,
  ) {
    super(settings);
  }

  protected snapshot(): StripeSnapshot {
    return this.store.snapshot();
  }

  protected restore(state: StripeSnapshot): void {
    this.store.restore(state);
  }

  protected revision(): string {
    return this.store.revision;
  }

  protected override seed(): void {
    seedDefaultCatalogue(this.store);
  }
}
