import { z } from 'zod';

/**
 * NetSuite's SuiteTalk REST record shapes, as Oracle's documentation gives them, written down once for the
 * contract tests. Each shape names the documentation section it comes from (NetSuite Help Center, "SuiteTalk REST
 * Web Services API Guide" and the SuiteTax guide), and keeps to what that section documents: a field it does not
 * document is refused (strict objects), so a body the adapter sends fails here before it fails in a real account.
 *
 * These are NOT derived from Revline's code or from the sandbox: when the two disagree with a shape here, the shape
 * wins and the code is fixed. Custom fields (`custbody_*`, `custcol_*`, `custrecord_*`) are the account's own, set up
 * by Revline's installation; the documentation only says how they are named and sent (as body or line fields).
 */
export interface DocumentedShape {
  /** The documentation section (title and address) the shape comes from. */
  sources: ReadonlyArray<{ section: string; url: string }>;
  schema: z.ZodType;
}

const HELP = 'https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help';

/**
 * A reference to another record: `{ "id": "…" }` (internal id) or `{ "externalId": "…" }`.
 * Source: "Working with Records" / "Using External IDs" in the REST Web Services API Guide.
 */
const Ref = z.union([
  z.strictObject({ id: z.string().min(1) }),
  z.strictObject({ externalId: z.string().min(1) }),
]);

/** A reference by internal id only, where the documentation names the record by its internal id. */
const IdRef = z.strictObject({ id: z.string().min(1) });

/** Amounts are JSON numbers (the REST API Browser types them `number`). */
const Amount = z.number().nonnegative();
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const CustomField = z.string();

/** Custom body and column fields are sent as plain fields named by their script id. */
const customFields = (prefix: 'custbody_' | 'custcol_' | 'custrecord_', names: readonly string[]) =>
  Object.fromEntries(names.map((n) => [`${prefix}${n}`, CustomField.optional()])) as Record<
    string,
    z.ZodOptional<z.ZodString>
  >;

/**
 * An item line. No legacy tax field (`tax1Amt`, `taxCode`, `taxRate1`, `isTaxable`…): "REST web services do not
 * support legacy tax features. To work with taxation through REST web services, you must have the SuiteTax feature
 * enabled." A line's tax is tied to it by `taxDetailsReference`.
 */
const ItemLine = z.strictObject({
  item: Ref,
  amount: Amount,
  description: z.string().optional(),
  class: Ref.optional(),
  revRecStartDate: IsoDate.optional(),
  revRecEndDate: IsoDate.optional(),
  taxDetailsReference: z.string().min(1).optional(),
  ...customFields('custcol_', ['rl_contract', 'rl_obligation', 'rl_schedule_total', 'rl_schedule_periods']),
  /** An Integer Number custom column field takes a JSON number (a Free-Form or Long Text one a string). */
  custcol_rl_schedule_version: z.number().int().optional(),
});

/**
 * SuiteTax's Tax Details sublist, given when the Tax Details Override box is checked: "Modify the values in the Tax
 * Type, Tax Code, Tax Basis, Tax Rate, and Tax Amount columns … All tax information fields are mandatory", each tax
 * line selecting the Tax Details Reference of the item it taxes.
 */
const TaxDetailsLine = z.strictObject({
  taxDetailsReference: z.string().min(1),
  taxType: IdRef,
  taxCode: IdRef,
  taxBasis: Amount,
  taxRate: z.number().nonnegative(),
  taxAmount: Amount,
});

const suiteTax = {
  taxDetailsOverride: z.boolean().optional(),
  taxDetails: z.strictObject({ items: z.array(TaxDetailsLine) }).optional(),
};

/** The apply sublist of a payment or credit memo: the document by internal id, its line, applied, the amount. */
const ApplyLine = z.strictObject({
  doc: IdRef,
  line: z.number().int().nonnegative(),
  apply: z.boolean(),
  amount: Amount,
});

const transactionHeader = {
  tranDate: IsoDate,
  subsidiary: Ref,
  currency: Ref,
  memo: z.string().optional(),
  ...customFields('custbody_', ['rl_contract']),
};

const TAX_SOURCES = [
  {
    section: 'Invoice (REST record): "REST web services do not support legacy tax features"',
    url: `${HELP}/section_161488248489.html`,
  },
  { section: 'Tax Details on Transactions in SuiteTax', url: `${HELP}/section_4283867856.html` },
  {
    section: 'Editing Transactions in SuiteTax (Tax Details Override)',
    url: `${HELP}/section_1513063654.html`,
  },
];

export const INVOICE: DocumentedShape = {
  sources: TAX_SOURCES,
  schema: z
    .strictObject({
      ...transactionHeader,
      entity: Ref,
      item: z.strictObject({ items: z.array(ItemLine).min(1) }),
      ...suiteTax,
    })
    .superRefine(taxDetailsReferToLines),
};

/**
 * A credit memo on its own (not made from an invoice). `createdFrom` is not sent: the link to an invoice is made by
 * transforming the invoice.
 */
export const CREDIT_MEMO: DocumentedShape = INVOICE;

/**
 * `POST /services/rest/record/v1/invoice/{id}/!transform/creditMemo`: "In the request body, you can also specify
 * data for additional fields of the record"; the section's invoice → credit memo example gives apply lines, each
 * naming the invoice by its internal id (`doc`) with `line`, `apply` and `amount`. The sublists the body's lines
 * replace are named in the `replace` query parameter. Revline sends no apply line: the transform initialises the
 * credit memo from the invoice, applied to it, as the invoice's Credit action does (to be confirmed against a real
 * account; an apply line naming more than the invoice's amount due would be refused).
 */
export const CREDIT_MEMO_TRANSFORM: DocumentedShape = {
  sources: [{ section: 'Transforming Records', url: `${HELP}/section_157901123882.html` }, ...TAX_SOURCES],
  schema: z
    .strictObject({
      externalId: z.string().min(1),
      tranDate: IsoDate,
      memo: z.string().optional(),
      ...customFields('custbody_', ['rl_contract']),
      item: z.strictObject({ items: z.array(ItemLine).min(1) }).optional(),
      ...suiteTax,
      apply: z.strictObject({ items: z.array(ApplyLine).min(1) }).optional(),
    })
    .superRefine(taxDetailsReferToLines),
};

/** Source: "Customer Payment" (REST record), "Creating a Customer Payment Record": apply lines by doc id and line. */
export const CUSTOMER_PAYMENT: DocumentedShape = {
  sources: [{ section: 'Customer Payment (REST record)', url: `${HELP}/article_0224093711.html` }],
  schema: z.strictObject({
    ...transactionHeader,
    customer: Ref,
    payment: Amount,
    apply: z.strictObject({ items: z.array(ApplyLine) }).optional(),
  }),
};

/** Source: "Customer" (REST record) and its addressbook sublist with the addressBookAddress subrecord. */
export const CUSTOMER: DocumentedShape = {
  sources: [{ section: 'Customer (REST record)', url: `${HELP}/article_161581923822.html` }],
  schema: z.strictObject({
    companyName: z.string().min(1),
    email: z.string().optional(),
    subsidiary: Ref,
    currency: Ref.optional(),
    addressBook: z
      .strictObject({
        items: z.array(
          z.strictObject({
            defaultBilling: z.boolean().optional(),
            defaultShipping: z.boolean().optional(),
            addressBookAddress: z.strictObject({
              addr1: z.string().optional(),
              city: z.string().optional(),
              state: z.string().optional(),
              zip: z.string().optional(),
              country: IdRef.optional(),
            }),
          }),
        ),
      })
      .optional(),
  }),
};

/** Source: "Journal Entry" (REST record): the line sublist, each line a debit or a credit to an account. */
export const JOURNAL_ENTRY: DocumentedShape = {
  sources: [
    {
      section: 'Journal Entry (REST record, REST API Browser journalEntry)',
      url: `${HELP}/chapter_1558962745.html`,
    },
  ],
  schema: z.strictObject({
    ...transactionHeader,
    line: z.strictObject({
      items: z
        .array(
          z
            .strictObject({
              account: Ref,
              debit: Amount.optional(),
              credit: Amount.optional(),
              memo: z.string().optional(),
              entity: Ref.optional(),
              class: Ref.optional(),
              ...customFields('custcol_', ['rl_contract', 'rl_obligation']),
            })
            .refine(
              (l) => (l.debit === undefined) !== (l.credit === undefined),
              'a line is a debit or a credit',
            ),
        )
        .min(2),
    }),
  }),
};

/**
 * Revline's revenue schedule custom record (`customrecord_rl_revenue_schedule`), sent as custom records are: its
 * name and its `custrecord_*` fields. Source: "Custom Records" in the REST Web Services API Guide.
 */
export const REVENUE_SCHEDULE: DocumentedShape = {
  sources: [
    {
      section: 'REST Web Services Supported Records: custom records',
      url: `${HELP}/chapter_1558962745.html`,
    },
  ],
  schema: z.strictObject({
    name: z.string().min(1),
    custrecord_rl_contract: z.string(),
    custrecord_rl_obligation: z.string(),
    custrecord_rl_version: z.number().int(),
    custrecord_rl_currency: Ref,
    custrecord_rl_total: z.string(),
    custrecord_rl_periods: z.string(),
  }),
};

/**
 * The fields of a record as `GET /record/v1/<type>/<id>` answers it that Revline may read: the self link, the
 * internal id and the external id. Source: "Working with Records" (getting a record by id or by `eid:`).
 */
export const RECORD_READ_FIELDS: ReadonlySet<string> = new Set(['links', 'id', 'externalId']);

/**
 * Headers: SuiteQL requires `Prefer: transient`; record requests do not take it. Source: "Executing SuiteQL Queries
 * Through REST Web Services" and "Using SuiteQL with SuiteTalk REST Web Services" (its request example).
 */
export const PREFER_TRANSIENT_ONLY_ON = '/services/rest/query/v1/suiteql';
export const PREFER_TRANSIENT_SOURCE = {
  section: 'Using SuiteQL with SuiteTalk REST Web Services',
  url: `${HELP}/section_158394344595.html`,
};

/**
 * Deletes: `DELETE /record/v1/<type>/<id>` (or `eid:<externalId>`, "Using External IDs"), no body; a success is
 * 204 with no content. Source: "Deleting a Record Instance".
 */
export const RECORD_DELETE = {
  section: 'Deleting a Record Instance',
  url: `${HELP}/section_1545142287.html`,
  path: /^\/services\/rest\/record\/v1\/[A-Za-z_]+\/(\d+|eid:[A-Za-z0-9_-]+)$/,
  status: 204,
};

/** Error responses: "o:errorDetails - an array with error details. One error response can contain multiple error details." */
export const ERROR_RESPONSE_SOURCE = {
  section: 'Error Handling in REST Web Services',
  url: `${HELP}/section_156570709583.html`,
};

/** Every tax details line names an item line of the same body by its reference, and no reference is on two lines. */
function taxDetailsReferToLines(
  body: {
    item?: { items: Array<{ taxDetailsReference?: string | undefined }> } | undefined;
    taxDetails?: { items: Array<{ taxDetailsReference: string }> } | undefined;
    taxDetailsOverride?: boolean | undefined;
  },
  ctx: z.RefinementCtx,
): void {
  const references = (body.item?.items ?? []).flatMap((l) =>
    l.taxDetailsReference ? [l.taxDetailsReference] : [],
  );
  if (new Set(references).size !== references.length)
    ctx.addIssue({ code: 'custom', message: 'a tax details reference is on two item lines', path: ['item'] });
  const details = body.taxDetails?.items ?? [];
  if (details.length > 0 && body.taxDetailsOverride !== true)
    ctx.addIssue({
      code: 'custom',
      message: 'tax details are given only with taxDetailsOverride',
      path: ['taxDetails'],
    });
  details.forEach((d, i) => {
    if (!references.includes(d.taxDetailsReference))
      ctx.addIssue({
        code: 'custom',
        message: 'no item line has this reference',
        path: ['taxDetails', 'items', i],
      });
  });
}
