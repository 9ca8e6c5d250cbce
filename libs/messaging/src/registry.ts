import type * as P from './payloads';

/** Every job Revline runs, paired with its payload type. */
export interface JobPayloads {
  'crm.record-changed': P.CrmRecordChangedPayload;
  'crm.write-back': P.CrmWriteBackPayload;
  'crm.written-back': P.CrmWrittenBackPayload;
  'crm.rejected': P.CrmRejectedPayload;
  'billing.apply-contract-change': P.BillingContractChangePayload;
  'billing.report-usage': P.BillingReportUsagePayload;
  'billing.issue-credit': P.BillingIssueCreditPayload;
  'billing.subscription-changed': P.BillingSubscriptionChangedPayload;
  'billing.invoice-issued': P.BillingDocumentPayload;
  'billing.credit-note-issued': P.BillingDocumentPayload;
  'billing.invoice-voided': P.BillingInvoiceVoidedPayload;
  'billing.payment-received': P.BillingPaymentReceivedPayload;
  'billing.rejected': P.BillingRejectedPayload;
  'erp.upsert-customer': P.ErpCustomerPayload;
  'erp.post-invoice': P.ErpDocumentPayload;
  'erp.post-credit-memo': P.ErpDocumentPayload;
  'erp.void-invoice': P.ErpVoidInvoicePayload;
  'erp.post-payment': P.ErpDocumentPayload;
  'erp.upsert-revenue-schedule': P.ErpRevenueSchedulePayload;
  'erp.post-revenue-journal': P.ErpRevenueJournalPayload;
  'erp.post-revenue': P.ErpRevenueBatchPayload;
  'erp.post-period-journal': P.ErpPeriodJournalPayload;
  'erp.posted': P.ErpPostedPayload;
  'erp.posted-many': P.ErpPostedManyPayload;
  'erp.rejected': P.ErpRejectedPayload;
  'q2c.reconcile': P.ReconcilePayload;
  'q2c.ramp-step-due': P.RampStepDuePayload;
  'q2c.recognise-period': P.RecognisePeriodPayload;
  'q2c.close-period': P.ClosePeriodPayload;
  'system.exception-raised': P.SystemExceptionRaisedPayload;
  'system.exception-cleared': P.SystemExceptionClearedPayload;
  'billing.settle-exception': P.SettleExceptionPayload;
  'erp.settle-exception': P.SettleExceptionPayload;
  'crm.settle-exception': P.SettleExceptionPayload;
}

export type JobName = keyof JobPayloads;

/** Every queue, its producer and consumer, and the jobs it carries. */
export const QUEUES = {
  'crm.changes': { producer: 'system-salesforce', consumer: 'process-q2c', jobs: ['crm.record-changed'] },
  'crm.commands': {
    producer: 'process-q2c',
    consumer: 'system-salesforce',
    jobs: ['crm.write-back', 'crm.settle-exception'],
  },
  'crm.events': {
    producer: 'system-salesforce',
    consumer: 'process-q2c',
    jobs: ['crm.written-back', 'crm.rejected'],
  },
  'billing.commands': {
    producer: 'process-q2c',
    consumer: 'system-billing',
    jobs: [
      'billing.apply-contract-change',
      'billing.report-usage',
      'billing.issue-credit',
      'billing.settle-exception',
    ],
  },
  'billing.events': {
    producer: 'system-billing',
    consumer: 'process-q2c',
    jobs: [
      'billing.subscription-changed',
      'billing.invoice-issued',
      'billing.credit-note-issued',
      'billing.payment-received',
      'billing.invoice-voided',
      'billing.rejected',
    ],
  },
  'erp.commands': {
    producer: 'process-q2c',
    consumer: 'system-erp',
    jobs: [
      'erp.upsert-customer',
      'erp.post-invoice',
      'erp.post-credit-memo',
      'erp.void-invoice',
      'erp.post-payment',
      'erp.upsert-revenue-schedule',
      'erp.post-revenue-journal',
      'erp.post-revenue',
      'erp.post-period-journal',
      'erp.settle-exception',
    ],
  },
  'erp.events': {
    producer: 'system-erp',
    consumer: 'process-q2c',
    jobs: ['erp.posted', 'erp.posted-many', 'erp.rejected'],
  },
  'system.exceptions': {
    producer: 'system-billing, system-erp, system-salesforce',
    consumer: 'process-q2c',
    jobs: ['system.exception-raised', 'system.exception-cleared'],
  },
  'q2c.scheduled': {
    producer: 'scheduler',
    consumer: 'process-q2c',
    jobs: ['q2c.reconcile', 'q2c.ramp-step-due', 'q2c.recognise-period', 'q2c.close-period'],
  },
} as const satisfies Record<string, { producer: string; consumer: string; jobs: readonly JobName[] }>;

export type QueueName = keyof typeof QUEUES;
export type JobsOf<Q extends QueueName> = (typeof QUEUES)[Q]['jobs'][number];

const QUEUE_OF_JOB = new Map<JobName, QueueName>(
  (Object.entries(QUEUES) as Array<[QueueName, { jobs: readonly JobName[] }]>).flatMap(([queue, spec]) =>
    spec.jobs.map((job) => [job, queue] as const),
  ),
);

export function queueOf(job: JobName): QueueName {
  const queue = QUEUE_OF_JOB.get(job);
  if (!queue) throw new Error(`Job "${job}" is in no queue of the registry`);
  return queue;
}

export function jobsOf(queue: QueueName): readonly JobName[] {
  return QUEUES[queue].jobs;
}

export function isJobName(name: string): name is JobName {
  return QUEUE_OF_JOB.has(name as JobName);
}
