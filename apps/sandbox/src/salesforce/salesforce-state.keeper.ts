import { Injectable } from '@nestjs/common';
import { SandboxStateConfig } from '../persistence/sandbox-state.config';
import { StateKeeper } from '../persistence/state-keeper';
import type { Session } from './auth/token-store';
import { TokenStore } from './auth/token-store';
import type { ChangeEventSnapshot } from './cdc/change-event-log';
import { ChangeEventLog } from './cdc/change-event-log';
import { SandboxClock } from './org/clock';
import type { OrgSnapshot } from './org/org-store';
import { OrgStore } from './org/org-store';

interface SalesforceState {
  org: OrgSnapshot;
  changeEvents: ChangeEventSnapshot;
  clockOffsetMs: number;
  sessions: Map<string, Session>;
}

/** The org across restarts: its records and id numbering, the change events still retained, the clock, sessions. */
@Injectable()
export class SalesforceStateKeeper extends StateKeeper<SalesforceState> {
  protected readonly vendor = 'salesforce';

  constructor(
    settings: SandboxStateConfig,
    private readonly store: OrgStore,
    private readonly log: ChangeEventLog,
    private readonly clock: SandboxClock,
    private readonly tokens: TokenStore,
  ) {
    super(settings);
  }

  protected snapshot(): SalesforceState {
    return {
      org: this.store.snapshot(),
      changeEvents: this.log.snapshot(),
      clockOffsetMs: this.clock.offset,
      sessions: this.tokens.snapshot(),
    };
  }

  protected restore(state: SalesforceState): void {
    this.clock.restore(state.clockOffsetMs);
    this.store.restore(state.org);
    this.log.restore(state.changeEvents);
    this.tokens.restore(state.sessions);
  }

  protected revision(): string {
    return `${String(this.store.revision)}:${String(this.log.latestReplayId)}:${String(this.clock.offset)}`;
  }
}
