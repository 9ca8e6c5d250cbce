import { Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AuditLog, Roles } from '@revline/auth';
import type { CrmAccount, CrmOrder, CrmProduct } from '@revline/crm-port';
import { CrmPort } from '@revline/crm-port';
import { DomainError } from '@revline/http';
import { DataSource } from 'typeorm';
import { BackfillEntity, PollCursorEntity } from '../capture/entities';
import { BEFORE_ALL_IDS, OrderPoller } from '../capture/order-poller';
import { SALESFORCE_ID } from '../salesforce/soql';
import { BackfillDto, StartBackfillDto } from './records.dto';

function checkId(id: string, prefix: string, field: string): void {
  if (!SALESFORCE_ID.test(id) || !id.startsWith(prefix)) {
    throw new DomainError(400, `${field} must be a Salesforce ${prefix} id`, [
      { field, problem: `must be a 15- or 18-character id starting ${prefix}` },
    ]);
  }
}

function toDto(row: BackfillEntity): BackfillDto {
  return {
    id: row.id,
    from: row.fromStamp.toISOString(),
    status: row.status,
    ordersQueued: row.ordersQueued,
    createdAt: row.createdAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
  };
}

/** Reads for the process layer, in Revline's CRM terms, and the admin's backfill. */
@ApiTags('salesforce')
@Controller('v1')
export class RecordsController {
  constructor(
    private readonly crm: CrmPort,
    private readonly poller: OrderPoller,
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
  ) {}

  @Get('orders/:orderId')
  @Roles('finance.viewer')
  @ApiOperation({ summary: 'An order with its lines, account and products' })
  @ApiOkResponse({ description: 'The order' })
  @ApiBadRequestResponse({ description: 'Not a Salesforce Order id' })
  @ApiNotFoundResponse({ description: 'No such order' })
  async getOrder(@Param('orderId') orderId: string): Promise<CrmOrder> {
    checkId(orderId, '801', 'orderId');
    const order = (await this.crm.readOrders([orderId])).at(0);
    if (!order) throw new DomainError(404, `Order ${orderId} was not found in Salesforce`);
    return order;
  }

  @Get('accounts/:accountId')
  @Roles('finance.viewer')
  @ApiOperation({ summary: 'An account' })
  @ApiOkResponse({ description: 'The account' })
  @ApiBadRequestResponse({ description: 'Not a Salesforce Account id' })
  @ApiNotFoundResponse({ description: 'No such account' })
  async getAccount(@Param('accountId') accountId: string): Promise<CrmAccount> {
    checkId(accountId, '001', 'accountId');
    const account = await this.crm.readAccount(accountId);
    if (!account) throw new DomainError(404, `Account ${accountId} was not found in Salesforce`);
    return account;
  }

  @Get('products/:productId')
  @Roles('finance.viewer')
  @ApiOperation({ summary: 'A product' })
  @ApiOkResponse({ description: 'The product' })
  @ApiBadRequestResponse({ description: 'Not a Salesforce Product2 id' })
  @ApiNotFoundResponse({ description: 'No such product' })
  async getProduct(@Param('productId') productId: string): Promise<CrmProduct> {
    checkId(productId, '01t', 'productId');
    const product = await this.crm.readProduct(productId);
    if (!product) throw new DomainError(404, `Product ${productId} was not found in Salesforce`);
    return product;
  }

  @Post('backfills')
  @HttpCode(202)
  @Roles('integration.admin')
  @ApiOperation({
    summary: 'Re-read every activated order changed since a date; repeats of queued content are dropped',
  })
  @ApiAcceptedResponse({ type: BackfillDto })
  @ApiBadRequestResponse({ description: 'from is missing, malformed or in the future' })
  async startBackfill(
    @Body() body: StartBackfillDto,
    @Req() request: { principal?: { id?: string; name?: string } },
  ): Promise<BackfillDto> {
    const from = new Date(body.from);
    if (from.getTime() > Date.now())
      throw new DomainError(400, 'from is in the future', [
        { field: 'from', problem: 'must not be in the future' },
      ]);
    const actor = request.principal?.name ?? request.principal?.id ?? 'api-key';
    const row = await this.dataSource.transaction(async (manager) => {
      const saved = await manager
        .getRepository(BackfillEntity)
        .save({ fromStamp: from, requestedBy: actor, status: 'running' as const });
      await manager
        .getRepository(PollCursorEntity)
        .insert({ name: `backfill:${saved.id}`, stamp: from, recordId: BEFORE_ALL_IDS });
      return saved;
    });
    await this.audit
      .append({
        actor,
        action: 'salesforce.backfill.start',
        target: row.id,
        before: null,
        after: { from: from.toISOString() },
      })
      .catch(() => undefined);
    void this.poller.runBackfill(row.id);
    return toDto(row);
  }

  @Get('backfills/:backfillId')
  @Roles('integration.admin')
  @ApiOperation({ summary: 'A backfill and how far it got' })
  @ApiOkResponse({ type: BackfillDto })
  @ApiNotFoundResponse({ description: 'No such backfill' })
  async getBackfill(@Param('backfillId') backfillId: string): Promise<BackfillDto> {
    if (!/^[0-9a-f-]{36}$/.test(backfillId))
      throw new DomainError(400, 'backfillId must be a uuid', [
        { field: 'backfillId', problem: 'must be a uuid' },
      ]);
    const row = await this.dataSource.getRepository(BackfillEntity).findOneBy({ id: backfillId });
    if (!row) throw new DomainError(404, `Backfill ${backfillId} was not found`);
    return toDto(row);
  }
}
