import { readFileSync } from 'node:fs';
import { Parser } from 'xml2js';

/** An element as xml2js gives it with explicitArray: its attributes under `$`, each child element as an array. */
export interface XmlElement {
  readonly $?: Readonly<Record<string, string>>;
  readonly [child: string]: unknown;
}

/** Parses one XML document (strict: a malformed file throws, naming it); the root element's name and content. */
export function readXml(path: string): { root: string; element: XmlElement } {
  const outcome: { error: Error | null; result: unknown } = { error: null, result: null };
  // xml2js calls back synchronously unless told to be async.
  new Parser({ explicitArray: true, strict: true }).parseString(
    readFileSync(path, 'utf8'),
    (error, result) => {
      outcome.error = error;
      outcome.result = result;
    },
  );
  if (outcome.error) throw new Error(`${path} is not well-formed XML: ${outcome.error.message}`);
  const roots = Object.entries((outcome.result ?? {}) as Record<string, unknown>);
  if (roots.length !== 1) throw new Error(`${path} has no root element`);
  const [root, content] = roots[0];
  return { root, element: typeof content === 'object' && content !== null ? (content as XmlElement) : {} };
}

/** The child elements of one name. */
export function children(element: XmlElement, name: string): XmlElement[] {
  const value = element[name];
  if (!Array.isArray(value)) return [];
  return value.map((v: unknown) => (typeof v === 'object' && v !== null ? (v as XmlElement) : { _: v }));
}

/** The text of the first child element of one name, if there is one. */
export function text(element: XmlElement, name: string): string | undefined {
  const first = children(element, name).at(0);
  if (first === undefined) return undefined;
  const value = first._;
  return typeof value === 'string' ? value : '';
}

/** The texts of every child element of one name. */
export function texts(element: XmlElement, name: string): string[] {
  return children(element, name).map((c) => (typeof c._ === 'string' ? c._ : ''));
}
