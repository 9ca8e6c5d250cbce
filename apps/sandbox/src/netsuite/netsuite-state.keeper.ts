import { Injectable } from '@nestjs/common';
import { SandboxStateConfig } from '../persistence/sandbox-state.config';
import { StateKeeper } from '../persistence/state-keeper';
import { GeneralLedger } from './ledger/general-ledger';
import type { StoredRecord } from './records/record-store';
import { RecordStore } from './records/record-store';
import { RecordsService } from './records/records.service';
import { DEFAULT_ITEMS } from './seed/default-items';

interface NetSuiteState {
  records: { lastId: number; records: StoredRecord[] };
  ledger: ReturnType<GeneralLedger['snapshot']>;
}

/** The account across restarts: its records and internal id numbering, the general ledger, closed periods. */
@Injectable()
export class NetSuiteStateKeeper extends StateKeeper<NetSuiteState> {
  protected readonly vendor = 'netsuite';

  constructor(
    settings: SandboxStateConfig,
    private readonly store: RecordStore,
    private readonly ledger: GeneralLedger,
    private readonly records: RecordsService,
  ) {
    super(settings);
  }

  protected snapshot(): NetSuiteState {
    return { records: this.store.snapshot(), ledger: this.ledger.snapshot() };
  }

  protected restore(state: NetSuiteState): void {
    this.store.restore(state.records);
    this.ledger.restore(state.ledger);
  }

  protected revision(): string {
    return `${String(this.store.revision)}:${String(this.ledger.revision)}`;
  }

  /** The default mapping's items, upserted by external id through the account's own validation when missing. */
  protected override seed(): void {
    for (const item of DEFAULT_ITEMS)
      if (!this.store.findByExternalId('serviceSaleItem', item.externalId))
        this.records.upsert('serviceSaleItem', `eid:${item.externalId}`, { ...item });
  }
}
