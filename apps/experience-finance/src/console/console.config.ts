import { IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';

const BASE_URL = /^https?:\/\/[^\s/]+(:\d+)?(\/[^\s]*)?$/;

/** The finance console: its sessions, where its build is, and the vendors' own UIs its links open. */
export class ConsoleConfig {
  /** How long a console session lasts after sign-in, in seconds (default 8 hours). */
  @IsInt()
  @Min(60)
  @Max(7 * 24 * 3600)
  CONSOLE_SESSION_TTL_SECONDS = 8 * 3600;

  /** The built console (index.html and assets/); unset: dist/console under the repository root. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  CONSOLE_DIR?: string = undefined;

  /** Salesforce Lightning's base URL (https://acme.lightning.force.com): lineage links to each record there. */
  @IsOptional()
  @Matches(BASE_URL, { message: 'must be an http(s) URL' })
  SALESFORCE_UI_BASE_URL?: string = undefined;

  /** The Stripe dashboard's base URL (https://dashboard.stripe.com/test): lineage links to customers, invoices… */
  @IsOptional()
  @Matches(BASE_URL, { message: 'must be an http(s) URL' })
  STRIPE_DASHBOARD_URL?: string = undefined;

  /** NetSuite's UI base URL (https://1234567.app.netsuite.com): lineage links to transactions and customers. */
  @IsOptional()
  @Matches(BASE_URL, { message: 'must be an http(s) URL' })
  NETSUITE_UI_BASE_URL?: string = undefined;
}
