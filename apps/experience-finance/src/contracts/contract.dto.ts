import { IntersectionType } from '@nestjs/swagger';
import { ContractFilterQuery } from '@revline/finance-api';
import { PageQuery } from '../shared/page.dto';

/** Paging first, then the contract filters (the order the document lists the parameters in). */
export class ListContractsQuery extends IntersectionType(PageQuery, ContractFilterQuery) {}
