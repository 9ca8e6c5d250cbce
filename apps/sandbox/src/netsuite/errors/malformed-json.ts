import { invalidContent } from './netsuite-error';

const MALFORMED = Symbol.for('revline.netsuite-sandbox.malformed-json');

/** What the JSON parser hands a NetSuite route whose body is not JSON, so the route can refuse it NetSuite's way. */
export const MALFORMED_JSON: object = Object.freeze({ [MALFORMED]: true });

/** The body as parsed, or 400 INVALID_CONTENT when it was not JSON. */
export function jsonBody(body: unknown): unknown {
  if (body === MALFORMED_JSON) throw invalidContent('The request body is not valid JSON.');
  return body;
}
