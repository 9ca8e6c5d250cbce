import { Body, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { badRequest, notFound } from '../org/errors';
import { OrgStore } from '../org/org-store';
import type { FieldDef, ObjectDef } from '../org/schema';
import { fieldDef, objectDef } from '../org/schema';
import { coerceValue } from '../org/values';
import { describeGlobal, describeSObject, recordJson } from './serialise';
import { SalesforceRestController } from './salesforce-controller';
import type { RestContext } from './session';
import { SfContext } from './session';

function objectOr404(name: string): ObjectDef {
  const def = objectDef(name);
  if (!def) throw notFound(`The requested resource does not exist: sObject type '${name}' is not supported.`);
  return def;
}

export function selectedFields(def: ObjectDef, fields: string | undefined): FieldDef[] | undefined {
  if (!fields) return undefined;
  return fields.split(',').map((name) => {
    const field = fieldDef(def, name.trim());
    if (!field)
      throw badRequest('INVALID_FIELD', `No such column '${name.trim()}' on sobject of type ${def.name}`);
    return field;
  });
}

/** `/services/data/vNN.N/sobjects/...`: describe, create, retrieve, update, delete and upsert by external id. */
@SalesforceRestController('services/data/:version/sobjects')
export class SObjectsController {
  constructor(private readonly store: OrgStore) {}

  @Get()
  sfDescribeGlobal(@SfContext() ctx: RestContext): Record<string, unknown> {
    return describeGlobal(ctx.apiVersion);
  }

  @Get(':sobject/describe')
  sfDescribe(@SfContext() ctx: RestContext, @Param('sobject') sobject: string): Record<string, unknown> {
    return describeSObject(ctx.apiVersion, objectOr404(sobject));
  }

  @Post(':sobject')
  @HttpCode(201)
  sfCreate(
    @SfContext() ctx: RestContext,
    @Param('sobject') sobject: string,
    @Body() body: unknown,
  ): { id: string; success: true; errors: [] } {
    const tx = this.store.begin(ctx);
    const id = tx.create(objectOr404(sobject).name, body);
    this.store.commit(tx);
    return { id, success: true, errors: [] };
  }

  @Get(':sobject/:id')
  sfRetrieve(
    @SfContext() ctx: RestContext,
    @Param('sobject') sobject: string,
    @Param('id') id: string,
    @Query('fields') fields?: string,
  ): Record<string, unknown> {
    const def = objectOr404(sobject);
    const record = this.store.begin(ctx).require(def, id);
    return recordJson(ctx.apiVersion, def, record, selectedFields(def, fields));
  }

  @Patch(':sobject/:id')
  @HttpCode(204)
  sfUpdate(
    @SfContext() ctx: RestContext,
    @Param('sobject') sobject: string,
    @Param('id') id: string,
    @Body() body: unknown,
  ): void {
    const tx = this.store.begin(ctx);
    tx.update(objectOr404(sobject).name, id, body);
    this.store.commit(tx);
  }

  @Delete(':sobject/:id')
  @HttpCode(204)
  sfDelete(@SfContext() ctx: RestContext, @Param('sobject') sobject: string, @Param('id') id: string): void {
    const def = objectOr404(sobject);
    const tx = this.store.begin(ctx);
    tx.require(def, id);
    tx.delete(id);
    this.store.commit(tx);
  }

  /** Upsert by external id: 201 with `created: true` when new, 200 with `created: false` when updated. */
  @Patch(':sobject/:field/:value')
  async sfUpsert(
    @SfContext() ctx: RestContext,
    @Param('sobject') sobject: string,
    @Param('field') fieldName: string,
    @Param('value') value: string,
    @Body() body: unknown,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const def = objectOr404(sobject);
    const field = fieldDef(def, fieldName);
    if (!field?.externalId) {
      throw notFound(`Provided external ID field does not exist or is not accessible: ${fieldName}`);
    }
    const key = coerceValue(field, value);
    const tx = this.store.begin(ctx);
    const existing = tx.withValue(def.name, field.name, key).at(0);
    const input = { ...(body as Record<string, unknown>), [field.name]: key };
    let id: string;
    if (existing) {
      id = existing.values.Id as string;
      tx.update(def.name, id, input);
    } else {
      id = tx.create(def.name, input);
    }
    this.store.commit(tx);
    await reply.status(existing ? 200 : 201).send({ id, success: true, errors: [], created: !existing });
  }
}
