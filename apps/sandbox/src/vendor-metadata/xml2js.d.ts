/** The part of xml2js (a dependency of jsforce, in node_modules) the sandbox uses; the package ships no types. */
declare module 'xml2js' {
  export interface ParserOptions {
    explicitArray?: boolean;
    strict?: boolean;
  }
  export class Parser {
    constructor(options?: ParserOptions);
    parseString(xml: string, callback: (error: Error | null, result: unknown) => void): void;
  }
}
