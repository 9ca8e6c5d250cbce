/**
 * Invalid input to the revenue engine. `field` is the path of the offending value in the request
 * ("contract.lines[0].serviceEnd"), `problem` says what is wrong in plain words; the HTTP layer maps
 * it to a 4xx problem+json naming the field.
 */
export class RevenueInputError extends Error {
  override readonly name = 'RevenueInputError';
  readonly code = 'REVENUE_INPUT_INVALID';

  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}
