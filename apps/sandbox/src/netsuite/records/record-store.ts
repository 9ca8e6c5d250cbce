import { Injectable } from '@nestjs/common';
import type { AnyRecordBody, RecordType } from './record-schemas';

/** A record as the account keeps it: references already resolved to internal ids. */
export interface StoredRecord {
  id: string;
  type: RecordType;
  externalId: string | null;
  body: AnyRecordBody;
  createdDate: string;
  lastModifiedDate: string;
}

/** The account's records by type, with the unique external-id index NetSuite keeps per record type. */
@Injectable()
export class RecordStore {
  private nextId = 100;
  /** Bumped by every change: lets readers cache what they derive from the records. */
  revision = 0;
  private readonly records = new Map<RecordType, Map<string, StoredRecord>>();
  private readonly byExternalId = new Map<RecordType, Map<string, string>>();

  /** Every record and the last internal id handed out, to keep them across restarts. */
  snapshot(): { lastId: number; records: StoredRecord[] } {
    return { lastId: this.nextId, records: [...this.records.values()].flatMap((m) => [...m.values()]) };
  }

  /** Replaces the records with a snapshot's; internal ids continue after the snapshot's last one. */
  restore(snapshot: { lastId: number; records: StoredRecord[] }): void {
    this.reset();
    for (const record of snapshot.records) this.put(record);
    this.nextId = Math.max(this.nextId, snapshot.lastId);
  }

  allocateId(): string {
    this.nextId += 1;
    return String(this.nextId);
  }

  get(type: RecordType, id: string): StoredRecord | undefined {
    return this.records.get(type)?.get(id);
  }

  findByExternalId(type: RecordType, externalId: string): StoredRecord | undefined {
    const id = this.byExternalId.get(type)?.get(externalId);
    return id === undefined ? undefined : this.get(type, id);
  }

  all(type: RecordType): StoredRecord[] {
    return [...(this.records.get(type)?.values() ?? [])];
  }

  put(record: StoredRecord): void {
    this.revision += 1;
    const previous = this.get(record.type, record.id);
    if (previous?.externalId) this.byExternalId.get(record.type)?.delete(previous.externalId);
    this.mapOf(this.records, record.type).set(record.id, record);
    if (record.externalId) this.mapOf(this.byExternalId, record.type).set(record.externalId, record.id);
  }

  delete(record: StoredRecord): void {
    this.revision += 1;
    this.records.get(record.type)?.delete(record.id);
    if (record.externalId) this.byExternalId.get(record.type)?.delete(record.externalId);
  }

  reset(): void {
    this.revision += 1;
    this.records.clear();
    this.byExternalId.clear();
  }

  private mapOf<V>(maps: Map<RecordType, Map<string, V>>, type: RecordType): Map<string, V> {
    let map = maps.get(type);
    if (!map) {
      map = new Map();
      maps.set(type, map);
    }
    return map;
  }
}
