import { IsInt, Max, Min } from 'class-validator';

/** NetSuite's cap on one SuiteQL query's results through REST web services (without SuiteAnalytics Connect). */
export const SUITEQL_MAX_RESULTS = 100_000;

/** The sandbox's SuiteQL limits. */
export class SuiteQlSandboxConfig {
  /**
   * The most results one query can be paged through (`offset + limit` beyond it is refused). NetSuite's cap by
   * default; tests set it lower to reach it with a small ledger.
   */
  @IsInt()
  @Min(1)
  @Max(SUITEQL_MAX_RESULTS)
  SANDBOX_NETSUITE_SUITEQL_MAX_RESULTS = SUITEQL_MAX_RESULTS;
}
