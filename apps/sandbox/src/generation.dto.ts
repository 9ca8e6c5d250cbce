import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

/**
 * What the three vendors' bulk generators (`POST /sandbox/{stripe,netsuite,salesforce}/generate`) share, so that
 * one request body makes data that agrees across them: record `i` of each (a Stripe invoice with its customer and
 * subscription, the NetSuite invoice, the Salesforce order) mirrors the others' `i`, its ids carry the seed and `i`
 * written with seven digits.
 */
export class GenerationDto {
  /** How many invoices (Stripe, NetSuite) or orders (Salesforce). */
  @Type(() => Number) @IsInt() @Min(1) @Max(1_000_000) invoices!: number;
  /** Lines of each invoice (Stripe), or the quantity of each order's line (Salesforce). */
  @Type(() => Number) @IsInt() @Min(1) @Max(10) linesPerInvoice!: number;
  /** A short tag put in every id, so that two generations never collide and a run is reproducible. */
  @IsString() @Matches(/^[A-Za-z0-9]{1,12}$/) seed!: string;
  /** Unix seconds of the first record; then spacingSeconds apart. */
  @Type(() => Number) @IsInt() @Min(0) createdFrom!: number;
  /** Seconds between two records (1 by default): spread them over a period. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) spacingSeconds?: number;
  /** Contract ids `<contractPrefix><7 digits>` (`801<seed>` by default). */
  @IsOptional() @IsString() @Matches(/^[A-Za-z0-9]{1,12}$/) contractPrefix?: string;
}

/** The number of a generated record as its ids write it: seven digits. */
export const generatedNumber = (i: number): string => String(i).padStart(7, '0');
