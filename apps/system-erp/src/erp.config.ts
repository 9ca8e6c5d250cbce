import { Matches } from 'class-validator';

/** ERP settings in Revline's terms, whatever the ERP behind the port. */
export class ErpConfig {
  /** The subsidiary code for documents whose command names none. */
  @Matches(/^[A-Za-z0-9_-]{1,40}$/, { message: 'must be a subsidiary code (letters, digits, _ or -)' })
  ERP_DEFAULT_SUBSIDIARY = 'US';
}
