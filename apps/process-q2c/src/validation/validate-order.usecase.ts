import { Injectable } from '@nestjs/common';
import type { ContractState } from '../events/contract-state';
import { ActiveMapping } from '../mappings/active-mapping';
import type { MappedOrder } from '../normalisation/mapped-order';
import { extractOrder } from '../normalisation/extract-order';
import { normaliseOrder, planOrder } from '../normalisation/normalise-order';
import { salesforceShape } from '../normalisation/record-shape';
import { DEFAULT_TENANT } from '@revline/messaging';
import { OrderLookups } from './order-lookups';
import type { OrderProblem } from '../normalisation/problems';
import { OrderRejected } from '../normalisation/problems';
import type { OrderValidationDto } from './order-validation.dto';

const PREVIEW_META = {
  messageId: '00000000-0000-7000-8000-000000000000',
  correlationId: 'validation',
  causationId: null,
  idempotencyKey: 'validation',
  occurredAt: '2026-01-01T00:00:00.000Z',
  tenantId: DEFAULT_TENANT,
  source: { system: 'salesforce' as const, objectType: 'Order', objectId: 'validation' },
  externalRefs: {},
};

/**
 * Would this order pass? The same reading, policy checks and canonical schema as normalisation, with the mapping
 * version cached in memory, the customer and contract read in one query, and nothing written. A draft order is checked as if it were activated: this is asked
 * before sales activates it.
 */
@Injectable()
export class ValidateOrder {
  constructor(
    private readonly mappings: ActiveMapping,
    private readonly lookups: OrderLookups,
  ) {}

  /** Against the active mapping version, or the chosen one (`mappingVersion`) when given. */
  async execute(record: Record<string, unknown>, mappingVersion?: number): Promise<OrderValidationDto> {
    const mapping =
      mappingVersion === undefined
        ? await this.mappings.cached()
        : await this.mappings.version(mappingVersion);
    let order: MappedOrder;
    try {
      order = { ...extractOrder(salesforceShape(record), mapping), activated: true };
    } catch (error) {
      if (error instanceof OrderRejected) return this.answer(mapping.version, null, null, error.problems);
      throw error;
    }
    const plan = planOrder(order);
    const { customer, contract } = await this.lookups.find(
      order.customer.salesforceAccountId,
      plan.kind === 'change' && plan.salesforceContractId ? plan.salesforceContractId : null,
    );
    let problems: readonly OrderProblem[] = [];
    try {
      normaliseOrder(
        order,
        { mapping, customer, contract },
        { ...PREVIEW_META, mappingVersion: mapping.version },
      );
    } catch (error) {
      if (!(error instanceof OrderRejected)) throw error;
      problems = error.problems;
    }
    return this.answer(mapping.version, order, contract, problems);
  }

  private answer(
    mappingVersion: number,
    order: MappedOrder | null,
    contract: ContractState | null,
    problems: readonly OrderProblem[],
  ): OrderValidationDto {
    return {
      valid: problems.length === 0,
      mappingVersion,
      orderType: order?.orderType ?? null,
      contractId: contract?.contractId ?? (order?.orderType === 'new' ? order.contractId : null),
      problems: problems.map((p) => ({ category: p.category, field: p.field, reason: p.reason })),
    };
  }
}
