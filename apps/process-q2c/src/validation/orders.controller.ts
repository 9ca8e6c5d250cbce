import { Body, Controller, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Roles } from '@revline/auth';
import { ApiAuthProblems, ApiProblem, problemExample } from '@revline/http';
import { CanonicalBodyPipe } from '../revenue/canonical-body.pipe';
import { OptionalIntParam } from '../shared/path-params';
import { bookingRecord, expansionRecord } from '../shared/order-examples';
import { OrderRecordSchema } from './order-record.schema';
import { OrderValidationDto } from './order-validation.dto';
import { ValidateOrder } from './validate-order.usecase';

@ApiTags('orders')
@Roles('finance.viewer')
@Controller('v1/orders')
export class OrdersController {
  constructor(private readonly validateOrder: ValidateOrder) {}

  @Post('validate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Would this order pass? Checked synchronously before sales activates it',
    description: [
      'The order record in the shape system-salesforce reads it (Order fields, `Account`, `OrderItems` with ',
      '`Product2`; or the CRM DTO with `fields`, `account`, `lines`, `products`). It is read through the active ',
      'mapping version, or the one `mappingVersion` chooses (proposed, active or superseded: preview an order against ',
      "a proposal before approving it; the answer's `mappingVersion` says which was used), and checked as normalisation would: products mapped in the catalogue, customer master ",
      'aligned, the amended or renewed contract known, dates inside the term, one currency, a valid canonical ',
      'event. Nothing is stored. A draft order is checked as if activated. Every problem is listed with its ',
      'category, field and a plain reason. Role finance.viewer, so internal tools can call it with a read-only key.',
    ].join(''),
  })
  @ApiBody({
    description: 'The Salesforce order record',
    examples: {
      booking: { summary: 'G1 booking: 10 seats', value: bookingRecord() },
      expansion: { summary: 'G2 amendment: +5 seats and the premium module', value: expansionRecord() },
    },
  })
  @ApiQuery({
    name: 'mappingVersion',
    required: false,
    type: Number,
    example: 2,
    description: 'The mapping version to check against (default: the active one)',
  })
  @ApiOkResponse({
    type: OrderValidationDto,
    description: 'Whether the order would pass, and its problems',
    example: {
      valid: false,
      mappingVersion: 1,
      orderType: 'amendment',
      contractId: '801Dn00000Booking1',
      problems: [
        {
          category: 'unmapped_product',
          field: 'lines[1].productCode',
          reason:
            'Product NEW-THING (order line 802Dn00000AmendL02) is not in the product catalogue of mapping version 1: add its billing price, ERP item and revenue treatment in a new mapping version',
        },
      ],
    },
  })
  @ApiProblem(
    400,
    'The body is not a JSON object',
    problemExample(
      400,
      'Invalid request: (body): Invalid input: expected record, received array',
      '/v1/orders/validate',
    ),
  )
  @ApiProblem(
    404,
    'No such mapping version',
    problemExample(404, 'Mapping version 7 does not exist', '/v1/orders/validate?mappingVersion=7'),
  )
  @ApiProblem(
    409,
    'The chosen mapping version was rejected',
    problemExample(
      409,
      'Mapping version 3 was rejected: preview against a proposed, active or superseded version',
      '/v1/orders/validate?mappingVersion=3',
    ),
  )
  @ApiAuthProblems('finance.viewer', '/v1/orders/validate')
  validateOrderRecord(
    @Body({ schema: OrderRecordSchema, pipes: [CanonicalBodyPipe] }) record: Record<string, unknown>,
    @Query('mappingVersion', OptionalIntParam) mappingVersion?: number,
  ): Promise<OrderValidationDto> {
    return this.validateOrder.execute(record, mappingVersion);
  }
}
