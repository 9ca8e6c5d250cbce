import { Get, Query } from '@nestjs/common';
import { badRequest } from '../org/errors';
import { OBJECTS } from '../org/schema';
import { SalesforceRestController } from './salesforce-controller';
import type { RestContext } from './session';
import { SfContext } from './session';

const MEMBER_QUERY =
  /^SELECT\s+([\w\s,]+?)\s+FROM\s+PlatformEventChannelMember(?:\s+WHERE\s+EventChannel\s*=\s*'(\w+)')?\s*$/i;
const MEMBER_FIELDS = ['Id', 'DeveloperName', 'EventChannel', 'SelectedEntity'];

/** The change event's name: `OrderChangeEvent`, `My_Object__ChangeEvent` for a custom object. */
const changeEventOf = (object: string): string =>
  object.endsWith('__c') ? `${object.slice(0, -1)}ChangeEvent` : `${object}ChangeEvent`;

/**
 * The Tooling API's query, for the one object Revline reads there: PlatformEventChannelMember, the entities
 * selected for Change Data Capture on the standard ChangeEvents channel (the objects the org publishes changes of).
 */
@SalesforceRestController('services/data/:version/tooling')
export class ToolingQueryController {
  @Get('query')
  sfToolingQuery(@SfContext() ctx: RestContext, @Query('q') q: string | undefined) {
    const match = MEMBER_QUERY.exec((q ?? '').trim());
    if (!match)
      throw badRequest(
        'MALFORMED_QUERY',
        'The sandbox answers Tooling queries on PlatformEventChannelMember only',
      );
    const fields = match[1].split(',').map((f) => f.trim());
    const unknown = fields.find((f) => !MEMBER_FIELDS.some((m) => m.toLowerCase() === f.toLowerCase()));
    if (unknown)
      throw badRequest('INVALID_FIELD', `No such column '${unknown}' on PlatformEventChannelMember`);
    // The org has the standard channel only: no WHERE, or WHERE EventChannel = 'ChangeEvents'.
    const channel = match[2] || 'ChangeEvents';
    const records = OBJECTS.filter((o) => o.cdc && channel === 'ChangeEvents').map((o, i) =>
      this.member(ctx, fields, o.name, i),
    );
    return {
      size: records.length,
      totalSize: records.length,
      done: true,
      entityTypeName: 'PlatformEventChannelMember',
      records,
    };
  }

  private member(ctx: RestContext, fields: string[], object: string, index: number): Record<string, unknown> {
    const id = `0v8${String(index + 1).padStart(15, '0')}`;
    const all: Record<string, string> = {
      Id: id,
      DeveloperName: `ChangeEvents_${changeEventOf(object)}`,
      EventChannel: 'ChangeEvents',
      SelectedEntity: changeEventOf(object),
    };
    const record: Record<string, unknown> = {
      attributes: {
        type: 'PlatformEventChannelMember',
        url: `/services/data/v${ctx.apiVersion}/tooling/sobjects/PlatformEventChannelMember/${id}`,
      },
    };
    for (const field of fields) {
      const name = MEMBER_FIELDS.find((m) => m.toLowerCase() === field.toLowerCase()) ?? field;
      record[name] = all[name];
    }
    return record;
  }
}
