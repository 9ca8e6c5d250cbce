import { Injectable } from '@nestjs/common';
import { invalidContent, NetSuiteError } from '../errors/netsuite-error';
import { GeneralLedger } from '../ledger/general-ledger';
import type { RecordBody, RecordType } from './record-schemas';
import { amountDue } from './amount-due';
import { RecordStore } from './record-store';
import type { WriteResult } from './records.service';
import { RecordsService } from './records.service';
import { ReferenceResolver } from './reference-resolver';

/** The transformations the stand-in makes, source type → the types it can become. */
const TRANSFORMS: Partial<Record<RecordType, readonly RecordType[]>> = { invoice: ['creditMemo'] };

/**
 * `POST /record/v1/<type>/<id>/!transform/<type>`: a record made from an existing one in a single request, as
 * REST web services transform records. An invoice becomes a credit memo carrying its customer, subsidiary,
 * currency, contract and every line, applied to it (`createdFrom`); the body sets further fields (externalId,
 * tranDate, memo…). A sublist named in `replace` (`?replace=item,taxDetails`) takes the body's lines instead of the
 * invoice's; one not named keeps the invoice's lines and adds the body's. Only an invoice with an amount still open
 * can be credited: one credited or paid in full is refused as NetSuite refuses initialising from it.
 */
@Injectable()
export class TransformRecord {
  constructor(
    private readonly records: RecordsService,
    private readonly store: RecordStore,
    private readonly ledger: GeneralLedger,
    private readonly refs: ReferenceResolver,
  ) {}

  transform(
    fromType: RecordType,
    key: string,
    toType: RecordType,
    raw: unknown,
    replace: readonly string[] = [],
  ): WriteResult {
    const source = this.records.find(fromType, key);
    if (!TRANSFORMS[fromType]?.includes(toType)) {
      throw new NetSuiteError(
        400,
        'INVALID_TRANS_TYP',
        `Transformation from ${fromType} to ${toType} is not supported.`,
      );
    }
    if (raw !== undefined && (typeof raw !== 'object' || raw === null || Array.isArray(raw)))
      throw invalidContent('The request body must be a JSON object.');
    const invoice = source.body as RecordBody<'invoice'>;
    if (amountDue(source.id, { store: this.store, ledger: this.ledger, refs: this.refs }) <= 0n) {
      throw new NetSuiteError(
        400,
        'INVALID_INITIALIZE_REF',
        `You can not initialize ${toType.toLowerCase()}: invalid reference ${source.id}.`,
      );
    }
    const body = { ...(raw as Record<string, unknown> | undefined) };
    if (body.createdFrom !== undefined)
      throw invalidContent('Invalid field createdFrom: the transformation sets it.', 'createdFrom');
    const copied = invoice as unknown as Record<string, unknown>;
    const sublists: Record<string, unknown> = {};
    for (const name of ['item', 'taxDetails']) {
      const raw = (body[name] as { items?: unknown } | undefined)?.items;
      const own = (copied[name] as { items?: unknown[] } | undefined)?.items ?? [];
      if (raw !== undefined && !Array.isArray(raw))
        throw invalidContent(`Invalid value for field ${name}.items: must be an array.`, `${name}.items`);
      const given: unknown[] = raw ?? [];
      const lines = replace.includes(name) ? given : [...own, ...given];
      if (lines.length > 0 || name === 'item') sublists[name] = { items: lines };
    }
    // The stored body holds no externalId (the store keeps it apart): the new record has only the body's.
    return this.records.createTransformed(toType, {
      ...copied,
      tranDate: new Date().toISOString().slice(0, 10),
      postingPeriod: undefined,
      taxDetails: undefined,
      ...body,
      ...sublists,
      createdFrom: { id: source.id },
    });
  }
}
