import {
  Body,
  Controller,
  Delete,
  Get,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccountRunner } from '../account/account-runner';
import { RolePermissions } from '../auth/role-permissions';
import type { PermissionLevel } from '../auth/role-permissions';
import { TbaGuard } from '../auth/tba.guard';
import { jsonBody } from '../errors/malformed-json';
import { NetSuiteErrorFilter } from '../errors/netsuite-error.filter';
import { recordUrl, recordView } from './record-view';
import { RecordsService } from './records.service';
import type { WriteResult } from './records.service';
import type { RecordType } from './record-schemas';
import { TransformRecord } from './transform-record';

const baseOf = (request: FastifyRequest): string => `${request.protocol}://${request.host}`;

/**
 * SuiteTalk REST record service: `/services/rest/record/v1/<type>[/<id>|/eid:<externalId>]`. Bodies are
 * NetSuite-shaped, so they are taken as they come and validated by the record schemas (not class DTOs).
 */
@ApiExcludeController()
@Controller('services/rest/record/v1')
@UseGuards(TbaGuard)
@UseFilters(NetSuiteErrorFilter)
export class RecordsController {
  constructor(
    private readonly records: RecordsService,
    private readonly account: AccountRunner,
    private readonly transforms: TransformRecord,
    private readonly role: RolePermissions,
  ) {}

  /** The record type named in the path, once the integration role may act on it at `level`. */
  private permitted(type: string, level: Exclude<PermissionLevel, 'NONE'>): RecordType {
    const recordType = this.records.recordType(type);
    this.role.require(recordType, level);
    return recordType;
  }

  /** A record made from another (an invoice credited in full): 204 with the new record's Location. */
  @Post(':type/:key/!transform/:toType')
  async transformRecord(
    @Param('type') type: string,
    @Param('key') key: string,
    @Param('toType') toType: string,
    @Query('replace') replace: unknown,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.account.run(reply, 'write', () => {
      const result = this.transforms.transform(
        this.permitted(type, 'VIEW'),
        key,
        this.permitted(toType, 'CREATE'),
        body === undefined ? undefined : jsonBody(body),
        typeof replace === 'string' ? replace.split(',').map((s) => s.trim()) : [],
      );
      return { status: 204, headers: { location: recordUrl(baseOf(request), result.record) } };
    });
  }

  @Post(':type')
  async createRecord(
    @Param('type') type: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.account.run(reply, 'write', () =>
      this.written(request, this.records.create(this.permitted(type, 'CREATE'), jsonBody(body))),
    );
  }

  @Get(':type/:key')
  async getRecord(
    @Param('type') type: string,
    @Param('key') key: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.account.run(reply, 'read', () => ({
      status: 200,
      body: recordView(baseOf(request), this.records.find(this.permitted(type, 'VIEW'), key)),
    }));
  }

  @Patch(':type/:key')
  async updateRecord(
    @Param('type') type: string,
    @Param('key') key: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.account.run(reply, 'write', () =>
      this.written(request, this.records.update(this.permitted(type, 'EDIT'), key, jsonBody(body))),
    );
  }

  @Put(':type/:key')
  async upsertRecord(
    @Param('type') type: string,
    @Param('key') key: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.account.run(reply, 'write', () =>
      this.written(request, this.records.upsert(this.permitted(type, 'EDIT'), key, jsonBody(body))),
    );
  }

  @Delete(':type/:key')
  async deleteRecord(
    @Param('type') type: string,
    @Param('key') key: string,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.account.run(reply, 'write', () => {
      this.records.delete(this.permitted(type, 'FULL'), key);
      return { status: 204 };
    });
  }

  /** Create answers 201, update and upsert 204; all with the record's Location. */
  private written(
    request: FastifyRequest,
    result: WriteResult,
  ): { status: number; headers: Record<string, string> } {
    const status = result.created && request.method === 'POST' ? 201 : 204;
    return { status, headers: { location: recordUrl(baseOf(request), result.record) } };
  }
}
