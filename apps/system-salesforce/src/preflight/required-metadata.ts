import { WRITE_BACK_FIELDS } from '../salesforce/soql';

/** What Revline does with a field: reads it, or also writes it (write-back: create and update). */
export type FieldUse = 'read' | 'write';

export interface RequiredObject {
  name: string;
  /** Revline creates records of it (the invoice object). */
  create: boolean;
  fields: ReadonlyArray<{ name: string; use: FieldUse }>;
}

const writeBack = WRITE_BACK_FIELDS.map((name) => ({ name, use: 'write' as const }));

/** The Revline customisations an org needs (vendor/salesforce deploys them): each object and its custom fields. */
export const REQUIRED_SALESFORCE_METADATA: readonly RequiredObject[] = [
  { name: 'Account', create: false, fields: writeBack },
  {
    name: 'Order',
    create: false,
    fields: [
      ...writeBack,
      { name: 'Revline_Bill_Cycle_Day__c', use: 'read' },
      { name: 'Revline_Billing_Timing__c', use: 'read' },
    ],
  },
  {
    name: 'Revline_Billing_Invoice__c',
    create: true,
    fields: [
      'Revline_Invoice_Id__c',
      'Revline_Invoice_Number__c',
      'Revline_Amount__c',
      'Revline_Issued_On__c',
      'Revline_Status__c',
      'Revline_Order__c',
      'Revline_Account__c',
      'Revline_Correlation_Id__c',
    ].map((name) => ({ name, use: 'write' as const })),
  },
];

/** The objects whose changes Revline captures (Change Data Capture on the standard ChangeEvents channel). */
export const CDC_OBJECTS = ['Order', 'OrderItem'] as const;
