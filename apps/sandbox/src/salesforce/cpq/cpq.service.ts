import { Injectable } from '@nestjs/common';
import { badRequest } from '../org/errors';
import type { SessionContext, StoredRecord } from '../org/org-store';
import { OrgStore } from '../org/org-store';
import type { OrgTransaction } from '../org/transaction';
import { requireObject } from '../org/schema';

export interface AmendmentRequest {
  contractId: string;
  effectiveDate: string;
  /** New total quantities of existing subscription lines (by their original OrderItem id). */
  changes: Array<{ orderItemId: string; quantity: number }>;
  /** New products added by the amendment. */
  additions: Array<{ pricebookEntryId: string; quantity: number; unitPrice: number }>;
}

/**
 * What Salesforce CPQ does when sales press Contract, Amend and Renew: a contract from an activated order; an
 * amendment order whose lines carry only the quantity deltas and point at the line they revise
 * (SBQQ__RevisedOrderProduct__c); a renewal order of type Renewal tied to the prior contract.
 */
@Injectable()
export class CpqService {
  constructor(private readonly store: OrgStore) {}

  contractOrder(context: SessionContext, orderId: string, termMonths: number): string {
    const tx = this.store.begin(context);
    const order = tx.require(requireObject('Order'), orderId);
    if (order.values.Status !== 'Activated') {
      throw badRequest('FIELD_INTEGRITY_EXCEPTION', 'Only an activated order can be contracted', ['orderId']);
    }
    const contractId = tx.create('Contract', {
      AccountId: order.values.AccountId,
      StartDate: order.values.EffectiveDate,
      ContractTerm: termMonths,
      SBQQ__Order__c: order.values.Id,
      CurrencyIsoCode: order.values.CurrencyIsoCode,
    });
    tx.update('Contract', contractId, { Status: 'Activated' });
    tx.update('Order', order.values.Id as string, { ContractId: contractId, SBQQ__Contracted__c: true });
    this.store.commit(tx);
    return contractId;
  }

  /** Creates a Draft amendment order with delta lines; activating it is the caller's step, as in the org. */
  amend(context: SessionContext, request: AmendmentRequest): string {
    const tx = this.store.begin(context);
    const contract = tx.require(requireObject('Contract'), request.contractId);
    const subscriptions = this.subscriptionLines(tx, contract);
    const original = tx.get(contract.values.SBQQ__Order__c as string);
    const orderId = tx.create('Order', {
      AccountId: contract.values.AccountId,
      ContractId: contract.values.Id,
      Pricebook2Id: original?.values.Pricebook2Id ?? null,
      EffectiveDate: request.effectiveDate,
      EndDate: contract.values.EndDate,
      Status: 'Draft',
      Type: 'Amendment',
      CurrencyIsoCode: contract.values.CurrencyIsoCode,
    });
    for (const change of request.changes) {
      const line = subscriptions.get(change.orderItemId);
      if (!line) {
        throw badRequest(
          'FIELD_CUSTOM_VALIDATION_EXCEPTION',
          `Order product ${change.orderItemId} is not a line of this contract`,
          ['changes'],
        );
      }
      const delta = change.quantity - line.quantity;
      if (delta === 0) continue;
      tx.create('OrderItem', {
        OrderId: orderId,
        PricebookEntryId: line.record.values.PricebookEntryId,
        Quantity: delta,
        UnitPrice: line.record.values.UnitPrice,
        ServiceDate: request.effectiveDate,
        EndDate: contract.values.EndDate,
        SBQQ__RevisedOrderProduct__c: line.record.values.Id,
        SBQQ__ChargeType__c: line.record.values.SBQQ__ChargeType__c,
        SBQQ__BillingFrequency__c: line.record.values.SBQQ__BillingFrequency__c,
      });
    }
    for (const addition of request.additions) {
      tx.create('OrderItem', {
        OrderId: orderId,
        PricebookEntryId: addition.pricebookEntryId,
        Quantity: addition.quantity,
        UnitPrice: addition.unitPrice,
        ServiceDate: request.effectiveDate,
        EndDate: contract.values.EndDate,
      });
    }
    this.store.commit(tx);
    return orderId;
  }

  /** Creates a Draft renewal order carrying the contract's current quantities into the next term. */
  renew(context: SessionContext, contractId: string): string {
    const tx = this.store.begin(context);
    const contract = tx.require(requireObject('Contract'), contractId);
    const subscriptions = this.subscriptionLines(tx, contract);
    const original = tx.get(contract.values.SBQQ__Order__c as string);
    const start = nextDay(contract.values.EndDate as string);
    const orderId = tx.create('Order', {
      AccountId: contract.values.AccountId,
      Pricebook2Id: original?.values.Pricebook2Id ?? null,
      EffectiveDate: start,
      Status: 'Draft',
      Type: 'Renewal',
      SBQQ__RenewedContract__c: contract.values.Id,
      CurrencyIsoCode: contract.values.CurrencyIsoCode,
    });
    for (const line of subscriptions.values()) {
      if (line.quantity <= 0) continue;
      tx.create('OrderItem', {
        OrderId: orderId,
        PricebookEntryId: line.record.values.PricebookEntryId,
        Quantity: line.quantity,
        UnitPrice: line.record.values.UnitPrice,
        SBQQ__ChargeType__c: line.record.values.SBQQ__ChargeType__c,
        SBQQ__BillingFrequency__c: line.record.values.SBQQ__BillingFrequency__c,
      });
    }
    this.store.commit(tx);
    return orderId;
  }

  /**
   * The contract's subscription lines (its original order's items and lines added by activated amendments), with
   * quantities after the activated amendments' deltas.
   */
  private subscriptionLines(
    tx: OrgTransaction,
    contract: StoredRecord,
  ): Map<string, { record: StoredRecord; quantity: number }> {
    const lines = new Map<string, { record: StoredRecord; quantity: number }>();
    const originalId = contract.values.SBQQ__Order__c;
    if (typeof originalId !== 'string') {
      throw badRequest('FIELD_CUSTOM_VALIDATION_EXCEPTION', 'The contract was not created from an order', [
        'contractId',
      ]);
    }
    for (const item of tx.children('OrderItem', 'OrderId', originalId)) {
      lines.set(item.values.Id as string, { record: item, quantity: item.values.Quantity as number });
    }
    for (const order of tx.children('Order', 'ContractId', contract.values.Id as string)) {
      if (order.values.Type !== 'Amendment' || order.values.Status !== 'Activated') continue;
      for (const item of tx.children('OrderItem', 'OrderId', order.values.Id as string)) {
        const revised = item.values.SBQQ__RevisedOrderProduct__c;
        const root = typeof revised === 'string' ? lines.get(revised) : undefined;
        // A line the amendment added is a subscription of the contract from then on; later amendments revise it.
        if (root) root.quantity += item.values.Quantity as number;
        else if (typeof revised !== 'string')
          lines.set(item.values.Id as string, { record: item, quantity: item.values.Quantity as number });
      }
    }
    return lines;
  }
}

function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
