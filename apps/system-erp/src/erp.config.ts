import { IsInt, Matches, Max, Min } from 'class-validator';

/** ERP settings in Revline's terms, whatever the ERP behind the port. */
export class ErpConfig {
  /** The subsidiary code for documents whose command names none. */
  @Matches(/^[A-Za-z0-9_-]{1,40}$/, { message: 'must be a subsidiary code (letters, digits, _ or -)' })
  ERP_DEFAULT_SUBSIDIARY = 'US';

  /**
   * How long a command's answer (`erp.posted`) waits for others to share its transaction and its message
   * (`erp.posted-many`); 0: only those ending in the same turn of the event loop.
   */
  @IsInt()
  @Min(0)
  @Max(1_000)
  ERP_ANSWER_BATCH_MS = 50;
}
