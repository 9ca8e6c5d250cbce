import type { StoredRecord } from './org-store';
import { badRequest } from './errors';
import type { ObjectDef } from './schema';
import type { OrgTransaction } from './transaction';
import type { RecordValues } from './values';
import { contractEndDate } from './values';

/**
 * The org's own behaviour per object: auto numbers, derived fields, the validations Salesforce (and Salesforce
 * CPQ) apply, and roll-ups. `beforeWrite` may refuse; `afterWrite` only derives, so a refused write stages nothing.
 */
export function beforeWrite(
  tx: OrgTransaction,
  def: ObjectDef,
  before: RecordValues | undefined,
  record: RecordValues,
): void {
  tx.store.validationRules.check(def, before, record);
  switch (def.name) {
    case 'Order': {
      orderRules(tx, before, record);
      return;
    }
    case 'OrderItem': {
      orderItemRules(tx, before, record);
      return;
    }
    case 'Contract': {
      contractRules(tx, before, record);
      return;
    }
    case 'PricebookEntry': {
      pricebookEntryRules(tx, before, record);
      return;
    }
    case 'Revline_Billing_Invoice__c': {
      invoiceRules(tx, before, record);
      return;
    }
    default:
      return undefined;
  }
}

export function afterWrite(tx: OrgTransaction, def: ObjectDef, record: RecordValues): void {
  if (def.name === 'OrderItem') rollUpOrderTotal(tx, record.OrderId as string);
}

/** Refuses deletes Salesforce refuses; answers the records deleted with it (an Order's OrderItems). */
export function beforeDelete(tx: OrgTransaction, def: ObjectDef, record: StoredRecord): StoredRecord[] {
  const id = record.values.Id as string;
  if (def.name === 'Order') {
    if (record.values.Status === 'Activated') {
      throw badRequest('DELETE_FAILED', 'Cannot delete an activated order. Deactivate it first.');
    }
    return tx.children('OrderItem', 'OrderId', id);
  }
  if (def.name === 'OrderItem') {
    const order = tx.get(record.values.OrderId as string);
    if (order?.values.Status === 'Activated') {
      throw badRequest('FIELD_INTEGRITY_EXCEPTION', "You can't delete products from an activated order.");
    }
  }
  if (def.name === 'Account') {
    const dependants = [
      ...tx.children('Order', 'AccountId', id),
      ...tx.children('Contract', 'AccountId', id),
    ];
    if (dependants.length > 0) {
      throw badRequest(
        'DELETE_FAILED',
        `Your attempt to delete ${String(record.values.Name)} could not be completed because it is associated with orders or contracts.`,
      );
    }
  }
  return [];
}

function orderRules(tx: OrgTransaction, before: RecordValues | undefined, record: RecordValues): void {
  if (!before) {
    record.OrderNumber = tx.store.nextAutoNumber('Order', 8);
    record.TotalAmount = 0;
    if (record.Status !== 'Draft') {
      throw badRequest(
        'FIELD_INTEGRITY_EXCEPTION',
        'Status: an order must be created as Draft and then activated',
        ['Status'],
      );
    }
  } else {
    if (before.Status === 'Activated' && record.AccountId !== before.AccountId) {
      throw badRequest('FIELD_INTEGRITY_EXCEPTION', "You can't change the account of an activated order.", [
        'AccountId',
      ]);
    }
    const items = tx.children('OrderItem', 'OrderId', record.Id as string);
    if (record.Pricebook2Id !== before.Pricebook2Id && items.length > 0) {
      throw badRequest(
        'FIELD_INTEGRITY_EXCEPTION',
        "You can't change the price book of an order that has products.",
        ['Pricebook2Id'],
      );
    }
    if (record.Status === 'Activated' && before.Status !== 'Activated') {
      if (items.length === 0) {
        throw badRequest(
          'FIELD_INTEGRITY_EXCEPTION',
          "You can't activate an order that has no order products.",
          ['Status'],
        );
      }
      record.ActivatedDate = tx.stamp;
      record.ActivatedById = tx.context.userId;
    }
  }
  record.StatusCode = record.Status;
  if (typeof record.EndDate === 'string' && typeof record.EffectiveDate === 'string') {
    if (record.EndDate < record.EffectiveDate) {
      throw badRequest(
        'FIELD_INTEGRITY_EXCEPTION',
        "Order End Date can't be earlier than the order start date.",
        ['EndDate'],
      );
    }
  }
  if (typeof record.ContractId === 'string') {
    const contract = tx.get(record.ContractId);
    if (contract && contract.values.AccountId !== record.AccountId) {
      throw badRequest('FIELD_INTEGRITY_EXCEPTION', 'The contract must belong to the account of the order.', [
        'ContractId',
      ]);
    }
  }
  if (record.Type === 'Amendment' && typeof record.ContractId !== 'string') {
    throw badRequest(
      'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      'An amendment order must reference the contract it amends.',
      ['ContractId'],
    );
  }
  if (record.Type === 'Renewal' && typeof record.SBQQ__RenewedContract__c !== 'string') {
    throw badRequest(
      'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      'A renewal order must reference the contract it renews (SBQQ__RenewedContract__c).',
      ['SBQQ__RenewedContract__c'],
    );
  }
}

function orderItemRules(tx: OrgTransaction, before: RecordValues | undefined, record: RecordValues): void {
  const order = tx.get(record.OrderId as string);
  if (!order) throw badRequest('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', ['OrderId']);
  if (order.values.Status === 'Activated') {
    const changedOnlyDescription =
      before &&
      Object.keys(record).every((k) => record[k] === before[k] || k === 'Description' || isAudit(k));
    if (!changedOnlyDescription) {
      throw badRequest(
        'FIELD_INTEGRITY_EXCEPTION',
        before
          ? "You can't edit products on an activated order."
          : "You can't add products to an activated order.",
        ['OrderId'],
      );
    }
  }
  const entry = tx.get(record.PricebookEntryId as string);
  if (!before) {
    if (
      !entry ||
      entry.values.Pricebook2Id !== order.values.Pricebook2Id ||
      order.values.Pricebook2Id === null
    ) {
      throw badRequest(
        'FIELD_INTEGRITY_EXCEPTION',
        'field integrity exception: PricebookEntryId (pricebook entry is in a different pricebook than the one assigned to the order, or Order has no pricebook assigned)',
        ['PricebookEntryId'],
      );
    }
    if (entry.values.IsActive !== true) {
      throw badRequest(
        'FIELD_INTEGRITY_EXCEPTION',
        'field integrity exception: PricebookEntryId (inactive entry)',
        ['PricebookEntryId'],
      );
    }
    if (record.Product2Id !== null && record.Product2Id !== entry.values.Product2Id) {
      throw badRequest('FIELD_INTEGRITY_EXCEPTION', 'Product2Id does not match the price book entry.', [
        'Product2Id',
      ]);
    }
    record.Product2Id = entry.values.Product2Id ?? null;
    record.ListPrice = entry.values.UnitPrice ?? null;
    record.OrderItemNumber = tx.store.nextAutoNumber('OrderItem', 10);
    record.ServiceDate ??= order.values.EffectiveDate ?? null;
    record.EndDate ??= order.values.EndDate ?? null;
  }
  const quantity = record.Quantity as number;
  const revised = record.SBQQ__RevisedOrderProduct__c;
  if (quantity === 0 && typeof revised !== 'string') {
    throw badRequest('FIELD_INTEGRITY_EXCEPTION', 'Quantity must be non-zero.', ['Quantity']);
  }
  if (quantity < 0 && (order.values.Type !== 'Amendment' || typeof revised !== 'string')) {
    throw badRequest(
      'FIELD_INTEGRITY_EXCEPTION',
      'A negative quantity is only allowed on an amendment line that revises an existing order product.',
      ['Quantity'],
    );
  }
  if (typeof revised === 'string' && !before) checkRevisedLine(tx, order, record, revised);
  record.TotalPrice = Math.round(quantity * (record.UnitPrice as number) * 100) / 100;
}

/** CPQ: an amendment line carries a delta quantity and points at the activated line of the contract it revises. */
function checkRevisedLine(
  tx: OrgTransaction,
  order: StoredRecord,
  record: RecordValues,
  revisedId: string,
): void {
  const revised = tx.get(revisedId);
  const revisedOrder = revised ? tx.get(revised.values.OrderId as string) : undefined;
  const contractId = order.values.ContractId;
  const contract = typeof contractId === 'string' ? tx.get(contractId) : undefined;
  const sameContract =
    revisedOrder &&
    (revisedOrder.values.ContractId === contractId ||
      contract?.values.SBQQ__Order__c === revisedOrder.values.Id);
  if (!revised || !revisedOrder || revisedOrder.values.Status !== 'Activated' || !sameContract) {
    throw badRequest(
      'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      'SBQQ__RevisedOrderProduct__c must be an activated order product of the contract this order amends.',
      ['SBQQ__RevisedOrderProduct__c'],
    );
  }
  if (order.values.Type !== 'Amendment') {
    throw badRequest(
      'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      'Only an amendment order can revise an order product.',
      ['SBQQ__RevisedOrderProduct__c'],
    );
  }
  if (revised.values.Product2Id !== record.Product2Id) {
    throw badRequest(
      'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      'An amendment line must revise a line of the same product.',
      ['SBQQ__RevisedOrderProduct__c'],
    );
  }
}

function contractRules(tx: OrgTransaction, before: RecordValues | undefined, record: RecordValues): void {
  if (!before) {
    record.ContractNumber = tx.store.nextAutoNumber('Contract', 8);
    if (record.Status !== 'Draft') {
      throw badRequest(
        'FIELD_INTEGRITY_EXCEPTION',
        'Choose a valid contract status: a new contract is a Draft.',
        ['Status'],
      );
    }
  }
  if (record.Status === 'Activated' && (record.StartDate === null || record.ContractTerm === null)) {
    throw badRequest('FIELD_INTEGRITY_EXCEPTION', 'An activated contract needs a start date and a term.', [
      'StartDate',
      'ContractTerm',
    ]);
  }
  record.EndDate =
    typeof record.StartDate === 'string' && typeof record.ContractTerm === 'number'
      ? contractEndDate(record.StartDate, record.ContractTerm)
      : null;
}

function pricebookEntryRules(
  tx: OrgTransaction,
  before: RecordValues | undefined,
  record: RecordValues,
): void {
  const product = tx.get(record.Product2Id as string);
  record.Name = product?.values.Name ?? null;
  record.ProductCode = product?.values.ProductCode ?? null;
  if (before) return;
  const siblings = tx.children('PricebookEntry', 'Product2Id', record.Product2Id as string);
  if (
    siblings.some(
      (s) =>
        s.values.Pricebook2Id === record.Pricebook2Id && s.values.CurrencyIsoCode === record.CurrencyIsoCode,
    )
  ) {
    throw badRequest('DUPLICATE_VALUE', 'This price definition already exists in this price book', []);
  }
  if (record.Pricebook2Id !== tx.store.standardPricebookId) {
    const standard = siblings.some(
      (s) =>
        s.values.Pricebook2Id === tx.store.standardPricebookId &&
        s.values.CurrencyIsoCode === record.CurrencyIsoCode &&
        s.values.IsActive === true,
    );
    if (!standard)
      throw badRequest('STANDARD_PRICE_NOT_DEFINED', 'No standard price defined for this product', []);
  }
}

function invoiceRules(tx: OrgTransaction, before: RecordValues | undefined, record: RecordValues): void {
  const value = record.Revline_Invoice_Id__c;
  if (before && before.Revline_Invoice_Id__c === value) return;
  const other = tx
    .withValue('Revline_Billing_Invoice__c', 'Revline_Invoice_Id__c', value)
    .find((r) => r.values.Id !== record.Id);
  if (other)
    throw badRequest(
      'DUPLICATE_VALUE',
      `duplicate value found: Revline_Invoice_Id__c duplicates value on record with id: ${String(other.values.Id)}`,
      ['Revline_Invoice_Id__c'],
    );
  record.Name ??=
    typeof record.Revline_Invoice_Number__c === 'string' ? record.Revline_Invoice_Number__c : String(value);
}

function rollUpOrderTotal(tx: OrgTransaction, orderId: string): void {
  const order = tx.get(orderId);
  if (!order || order.deleted) return;
  const total = tx
    .children('OrderItem', 'OrderId', orderId)
    .reduce((sum, item) => sum + Math.round(((item.values.TotalPrice as number | null) ?? 0) * 100), 0);
  if (order.values.TotalAmount === total / 100) return;
  tx.stage(orderId, {
    ...order,
    values: { ...order.values, TotalAmount: total / 100, SystemModstamp: tx.stamp },
  });
}

function isAudit(field: string): boolean {
  return field === 'LastModifiedDate' || field === 'LastModifiedById' || field === 'SystemModstamp';
}
