import { ApiProperty, ApiPropertyOptional, IntersectionType, OmitType } from '@nestjs/swagger';
import {
  ContractChangeLineageDto,
  ContractFilterQuery,
  ContractLineageDto,
  LineageHopDto,
} from '@revline/finance-api';
import { PageQuery } from '../shared/page.dto';

/** Paging first, then the contract filters (the order the document lists the parameters in). */
export class ListContractsQuery extends IntersectionType(PageQuery, ContractFilterQuery) {}

/** A lineage hop with its record's page in the vendor's own UI. */
export class LinkedLineageHopDto extends LineageHopDto {
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'https://acme.lightning.force.com/lightning/r/Order/801Dn00000Booking1/view',
    description:
      "The record's page in its vendor's UI: Salesforce (SALESFORCE_UI_BASE_URL), Stripe customers, subscriptions and invoices (STRIPE_DASHBOARD_URL), NetSuite transactions and customers (NETSUITE_UI_BASE_URL); null when that base URL is not configured or the hop is Revline's own, a command or a journal",
  })
  vendorUrl: string | null;
}

export class LinkedContractChangeLineageDto extends OmitType(ContractChangeLineageDto, ['hops'] as const) {
  @ApiProperty({ type: LinkedLineageHopDto, isArray: true })
  hops: LinkedLineageHopDto[];
}

export class LinkedContractLineageDto extends OmitType(ContractLineageDto, ['changes'] as const) {
  @ApiProperty({
    type: LinkedContractChangeLineageDto,
    isArray: true,
    description: 'One entry per contract change (correlation id), oldest first, each with its hops in order',
  })
  changes: LinkedContractChangeLineageDto[];
}
