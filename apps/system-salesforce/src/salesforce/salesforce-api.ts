import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import { parseCsvRecords } from '@revline/http';
import { TransientError } from '@revline/messaging';
import { inClientSpan } from '@revline/observability';
import { Connection } from 'jsforce';
import { HttpApi } from 'jsforce/lib/http-api';
import type { HttpResponse, Schema } from 'jsforce/lib/types';
import { createPrivateKey, sign } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SalesforceConfig } from '../config';
import { budgetDelayMs } from './api-budget';
import { OrgSlots } from './org-slots';

export interface SaveResult {
  id?: string;
  success: boolean;
  errors: Array<{ statusCode?: string; errorCode?: string; message: string; fields?: string[] }>;
}

export type SObjectRecord = Record<string, unknown>;

/** sObject Collections' most records in one write, and Composite's most collections subrequests in one call. */
export const COLLECTION_MAX_RECORDS = 200;
export const COMPOSITE_MAX_COLLECTIONS = 5;

/**
 * One sObject Collections write, allOrNone false: an update (records of any types, each with its `Id` and
 * `attributes.type`) or an upsert of one type by an external id field.
 */
export type CollectionWrite =
  | { op: 'update'; records: SObjectRecord[] }
  | { op: 'upsert'; type: string; externalIdField: string; records: SObjectRecord[] };

/** A write's per-record results, or the error Salesforce refused the whole write with (a Composite subrequest). */
export type CollectionOutcome =
  { results: SaveResult[] } | { error: { errorCode: string; message: string; fields?: string[] } };

/** A Bayeux message as the streaming client's extensions see it. */
export interface StreamingMessage {
  channel: string;
  successful?: boolean;
  error?: string;
  advice?: { reconnect?: string };
  ext?: Record<string, unknown>;
  data?: unknown;
}

export interface StreamingExtension {
  incoming?(message: StreamingMessage, callback: (message: StreamingMessage) => void): void;
  outgoing?(message: StreamingMessage, callback: (message: StreamingMessage) => void): void;
}

/** The part of jsforce's CometD (faye) client that change capture uses. */
export interface StreamingClient {
  subscribe(
    channel: string,
    listener: (message: unknown) => void,
  ): {
    then(onSucceeded: () => void, onFailed: (error: unknown) => void): void;
    cancel(): void;
  };
  disconnect(): void;
}

/** The jsforce seam: everything system-salesforce asks of the org. Tests may replace it. */
export abstract class SalesforceApi {
  /** Every page of the answer; `includeDeleted` runs it as `queryAll` (records in the recycle bin too). */
  abstract query<T extends SObjectRecord>(soql: string, options?: { includeDeleted?: boolean }): Promise<T[]>;
  /**
   * A Bulk API 2.0 query job (`includeDeleted`: operation queryAll): created, polled until complete, then its
   * CSV results read a page of `pageSize` rows at a time (one record per row, keyed by the query's field names),
   * and the job deleted.
   */
  abstract bulkQuery(
    soql: string,
    options?: { includeDeleted?: boolean; pageSize?: number },
  ): AsyncIterable<Array<Record<string, string>>>;
  abstract update(type: string, records: SObjectRecord[]): Promise<SaveResult[]>;
  /**
   * Records by id, of one or more types, with the fields asked: one type alone is one sObject Collections retrieve
   * (`POST /composite/sobjects/{type}`); several go as one Composite call per COMPOSITE_MAX_COLLECTIONS. One list per
   * read, in the order of its ids, null where no record exists. A read Salesforce refuses throws.
   */
  abstract retrieveMany(
    reads: Array<{ type: string; ids: string[]; fields: string[] }>,
  ): Promise<Array<Array<SObjectRecord | null>>>;
  /**
   * Collection writes (at most COLLECTION_MAX_RECORDS records each): one alone is one sObject Collections call;
   * several go as one Composite call per COMPOSITE_MAX_COLLECTIONS. One outcome per write, in order; a failed call
   * (transport, 429, REQUEST_LIMIT_EXCEEDED) throws.
   */
  abstract saveCollections(writes: CollectionWrite[]): Promise<CollectionOutcome[]>;
  abstract upsert(type: string, records: SObjectRecord[], externalIdField: string): Promise<SaveResult[]>;
  abstract streamingClient(extensions: StreamingExtension[]): Promise<StreamingClient>;
  abstract apiUsage(): { used: number; limit: number } | undefined;
  /**
   * A REST GET: a path under `/services/data/vNN.N` (`/limits`, `/sobjects/Order/describe`), or from the instance
   * root when it starts with `/services/` (`/services/data`, the versions the org offers).
   */
  abstract get<T>(path: string): Promise<T>;
}

const TRANSIENT_CODES = new Set([
  'SERVER_UNAVAILABLE',
  'REQUEST_LIMIT_EXCEEDED',
  'UNABLE_TO_LOCK_ROW',
  'ERROR_HTTP_503',
  'ERROR_HTTP_502',
  'ERROR_HTTP_504',
]);

/** Bulk API 2.0's query job, as much of it as the reader needs. */
interface BulkQueryJob {
  id: string;
  state: 'UploadComplete' | 'InProgress' | 'Aborted' | 'JobComplete' | 'Failed';
  errorMessage?: string;
}

/**
 * jsforce's HTTP API (session refresh, errors parsed from Salesforce's JSON) answering a results page as text: its
 * own CSV parsing (csv-parse) is the slowest part of reading a large query, so the page is parsed by parseCsvRecords.
 */
class BulkResultsApi extends HttpApi<Schema> {
  override getResponseContentType(response: HttpResponse): string | undefined {
    return response.statusCode < 400 ? 'text/plain' : (super.getResponseContentType(response) ?? undefined);
  }
}

/**
 * Rows a results page when the caller does not say: 10,000 rows (about 1 MB of CSV) a page, two in hand at once (at
 * 100,000 orders the export peaked at 257 MB resident against 160 MB idle; 341 MB with pages of 50,000).
 */
const BULK_PAGE_SIZE = 10_000;
/** Polling a query job: first after this, then half again longer each time up to BULK_POLL_MAX_MS, for BULK_POLL_TIMEOUT_MS at most. */
const BULK_POLL_FIRST_MS = 25;
const BULK_POLL_MAX_MS = 1_000;
const BULK_POLL_TIMEOUT_MS = 30 * 60_000;

interface CompositeResponse {
  compositeResponse: Array<{ referenceId: string; httpStatusCode: number; body: unknown }>;
}

function chunked<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, (i + 1) * size),
  );
}

function collectionUrl(conn: Connection, write: CollectionWrite): string {
  const base = `/services/data/v${conn.version}/composite/sobjects`;
  return write.op === 'update' ? base : `${base}/${write.type}/${write.externalIdField}`;
}

export function isTransientSalesforceError(error: unknown): boolean {
  const code =
    (error as { errorCode?: unknown; code?: unknown }).errorCode ?? (error as { code?: unknown }).code;
  return typeof code === 'string' && (TRANSIENT_CODES.has(code) || code.startsWith('E'));
}

/**
 * One org connection through jsforce: OAuth 2 by username-password, client credentials or JWT bearer; a new
 * token when Salesforce answers INVALID_SESSION_ID (jsforce's refresh hook, for every flow); `Sforce-Limit-Info`
 * read after each call so calls slow down before the org's daily limit; at most N calls in flight per org across
 * every replica (OrgSlots, keyed by the org id Salesforce answers at login).
 */
@Injectable()
export class JsforceSalesforceApi extends SalesforceApi implements OnApplicationShutdown {
  private readonly logger = new Logger('Salesforce');
  private connection?: Promise<Connection>;
  private readonly clients = new Set<StreamingClient>();

  constructor(
    private readonly config: SalesforceConfig,
    private readonly slots: OrgSlots,
  ) {
    super();
  }

  async query<T extends SObjectRecord>(soql: string, options?: { includeDeleted?: boolean }): Promise<T[]> {
    return this.call('query', async (conn) => {
      const result = await conn.query<T>(soql, {
        autoFetch: true,
        maxFetch: 100_000,
        scanAll: options?.includeDeleted === true,
      });
      return result.records;
    });
  }

  /**
   * Creates and polls the job through jsforce's REST calls, and reads the results with jsforce's HTTP API (its
   * session refresh and error parsing) for the `Sforce-Locator` header — jsforce's own `bulk2.query` pipes every
   * results page into one CSV stream and fails on the second page ("write after end").
   */
  async *bulkQuery(
    soql: string,
    options?: { includeDeleted?: boolean; pageSize?: number },
  ): AsyncGenerator<Array<Record<string, string>>> {
    const jobs = '/jobs/query';
    const job = await this.call('bulk query create', (conn) =>
      conn.request<BulkQueryJob>({
        method: 'POST',
        url: jobs,
        body: JSON.stringify({
          operation: options?.includeDeleted === true ? 'queryAll' : 'query',
          query: soql,
          contentType: 'CSV',
          columnDelimiter: 'COMMA',
          lineEnding: 'LF',
        }),
        headers: { 'Content-Type': 'application/json; charset=utf-8' },
      }),
    );
    try {
      const deadline = Date.now() + BULK_POLL_TIMEOUT_MS;
      let wait = BULK_POLL_FIRST_MS;
      for (let state = job.state; state !== 'JobComplete';) {
        if (Date.now() > deadline) throw new TransientError(`Salesforce bulk query ${job.id} still ${state}`);
        await sleep(wait);
        wait = Math.min(BULK_POLL_MAX_MS, wait * 1.5);
        const info = await this.call('bulk query status', (conn) =>
          conn.request<BulkQueryJob>(`${jobs}/${job.id}`),
        );
        state = info.state;
        if (state === 'Failed' || state === 'Aborted')
          throw new Error(
            `Salesforce bulk query ${job.id} ${state}: ${info.errorMessage ?? 'no reason given'}`,
          );
      }
      const pageSize = options?.pageSize ?? BULK_PAGE_SIZE;
      const fetchPage = (locator?: string) =>
        this.call('bulk query results', (conn) => this.resultsPage(conn, job.id, pageSize, locator));
      // The next page is fetched while the caller takes this one.
      let next: ReturnType<typeof fetchPage> | undefined = fetchPage();
      try {
        while (next) {
          const page: Awaited<ReturnType<typeof fetchPage>> = await next;
          next = page.locator === undefined ? undefined : fetchPage(page.locator);
          if (page.records.length > 0) yield page.records;
        }
      } finally {
        // A caller that stops early leaves a page in flight: its failure is nobody's now.
        next?.catch(() => undefined);
      }
    } finally {
      await this.call('bulk query delete', (conn) =>
        conn.request({ method: 'DELETE', url: `${jobs}/${job.id}` }),
      ).catch((error: unknown) => {
        this.logger.warn({
          msg: 'Salesforce bulk query job not deleted',
          jobId: job.id,
          error: String(error),
        });
      });
    }
  }

  private async resultsPage(
    conn: Connection,
    jobId: string,
    pageSize: number,
    locator: string | undefined,
  ): Promise<{ records: Array<Record<string, string>>; locator?: string }> {
    const api = new BulkResultsApi(conn, {});
    let next: string | undefined;
    api.on('response', (response: HttpResponse) => {
      const header = response.headers['sforce-locator'];
      next = typeof header === 'string' && header !== '' && header !== 'null' ? header : undefined;
    });
    const query = `maxRecords=${String(pageSize)}${locator ? `&locator=${encodeURIComponent(locator)}` : ''}`;
    const body = await api.request<string>({
      method: 'GET',
      url: `${conn.instanceUrl}/services/data/v${conn.version}/jobs/query/${jobId}/results?${query}`,
      headers: { Accept: 'text/csv' },
    });
    return { records: parseCsvRecords(body), ...(next ? { locator: next } : {}) };
  }

  update(type: string, records: SObjectRecord[]): Promise<SaveResult[]> {
    return this.call(
      `${type} update`,
      async (conn) =>
        (await conn
          .sobject(type)
          .update(records as never[], { allOrNone: false })) as unknown as SaveResult[],
    );
  }

  async retrieveMany(
    reads: Array<{ type: string; ids: string[]; fields: string[] }>,
  ): Promise<Array<Array<SObjectRecord | null>>> {
    if (reads.length === 0) return [];
    const body = (read: (typeof reads)[number]) => ({ ids: read.ids, fields: read.fields });
    if (reads.length === 1) {
      const [read] = reads as [(typeof reads)[number]];
      return [
        await this.call('sobject collections retrieve', (conn) =>
          conn.request<Array<SObjectRecord | null>>({
            method: 'POST',
            url: `/services/data/v${conn.version}/composite/sobjects/${read.type}`,
            body: JSON.stringify(body(read)),
            headers: { 'Content-Type': 'application/json' },
          }),
        ),
      ];
    }
    const answers = await Promise.all(
      chunked(reads, COMPOSITE_MAX_COLLECTIONS).map((chunk) =>
        this.call('composite retrieve', (conn) =>
          conn.request<CompositeResponse>({
            method: 'POST',
            url: '/composite',
            body: JSON.stringify({
              allOrNone: false,
              compositeRequest: chunk.map((read, i) => ({
                method: 'POST',
                url: `/services/data/v${conn.version}/composite/sobjects/${read.type}`,
                referenceId: `r${String(i)}`,
                body: body(read),
              })),
            }),
            headers: { 'Content-Type': 'application/json' },
          }),
        ),
      ),
    );
    return answers.flatMap(
      (answer, c) =>
        chunked(reads, COMPOSITE_MAX_COLLECTIONS)[c]?.map((_, i) => {
          const sub = answer.compositeResponse.find((r) => r.referenceId === `r${String(i)}`);
          if (sub && sub.httpStatusCode < 300 && Array.isArray(sub.body))
            return sub.body as Array<SObjectRecord | null>;
          const error = (Array.isArray(sub?.body) ? sub.body[0] : sub?.body) as
            { errorCode?: string; message?: string } | undefined;
          throw Object.assign(new Error(`Salesforce: ${error?.message ?? 'the read was not answered'}`), {
            errorCode: error?.errorCode ?? `ERROR_HTTP_${String(sub?.httpStatusCode ?? 500)}`,
          });
        }) ?? [],
    );
  }

  async saveCollections(writes: CollectionWrite[]): Promise<CollectionOutcome[]> {
    if (writes.length === 0) return [];
    if (writes.length === 1) {
      const [write] = writes as [CollectionWrite];
      const results = await this.call('sobject collections save', (conn) =>
        conn.request<SaveResult[]>({
          method: 'PATCH',
          url: collectionUrl(conn, write),
          body: JSON.stringify({ allOrNone: false, records: write.records }),
          headers: { 'Content-Type': 'application/json' },
        }),
      );
      return [{ results }];
    }
    const calls: CollectionWrite[][] = [];
    for (let i = 0; i < writes.length; i += COMPOSITE_MAX_COLLECTIONS)
      calls.push(writes.slice(i, i + COMPOSITE_MAX_COLLECTIONS));
    const answers = await Promise.all(
      calls.map((chunk) =>
        this.call('composite save', (conn) =>
          conn.request<CompositeResponse>({
            method: 'POST',
            url: '/composite',
            body: JSON.stringify({
              allOrNone: false,
              compositeRequest: chunk.map((write, i) => ({
                method: 'PATCH',
                url: collectionUrl(conn, write),
                referenceId: `w${String(i)}`,
                body: { allOrNone: false, records: write.records },
              })),
            }),
            headers: { 'Content-Type': 'application/json' },
          }),
        ),
      ),
    );
    return answers.flatMap((answer, c) =>
      (calls[c] ?? []).map((_, i): CollectionOutcome => {
        const sub = answer.compositeResponse.find((r) => r.referenceId === `w${String(i)}`);
        if (sub && sub.httpStatusCode < 300 && Array.isArray(sub.body))
          return { results: sub.body as SaveResult[] };
        const error = (Array.isArray(sub?.body) ? sub.body[0] : sub?.body) as
          { errorCode?: string; message?: string; fields?: string[] } | undefined;
        return {
          error: {
            errorCode: error?.errorCode ?? `ERROR_HTTP_${String(sub?.httpStatusCode ?? 500)}`,
            message: error?.message ?? 'the Composite subrequest was not answered',
            ...(error?.fields ? { fields: error.fields } : {}),
          },
        };
      }),
    );
  }

  upsert(type: string, records: SObjectRecord[], externalIdField: string): Promise<SaveResult[]> {
    return this.call(`${type} upsert`, async (conn) => {
      const result = await conn.sobject(type).upsert(records, externalIdField);
      return Array.isArray(result) ? result : [result];
    });
  }

  /** A CometD client on the current session; a REST call first renews the token if it has expired. */
  async streamingClient(extensions: StreamingExtension[]): Promise<StreamingClient> {
    const conn = await this.conn();
    await this.call('limits', (c) => c.request('/limits'));
    const faye = conn.streaming.createClient(extensions as never[]) as unknown as StreamingClient;
    // faye's client is itself a thenable that never settles: hand out a plain wrapper, or `await` would hang.
    const client: StreamingClient = {
      subscribe: (channel, listener) => faye.subscribe(channel, listener),
      disconnect: () => {
        this.clients.delete(client);
        faye.disconnect();
      },
    };
    this.clients.add(client);
    return client;
  }

  apiUsage(): { used: number; limit: number } | undefined {
    return this.lastConnection?.limitInfo.apiUsage;
  }

  get<T>(path: string): Promise<T> {
    return this.call('get', (conn) => conn.request<T>(path));
  }

  onApplicationShutdown(): void {
    for (const client of this.clients) client.disconnect();
  }

  private lastConnection?: Connection;

  /** One Salesforce API call under its CLIENT span: inside the org's slot and API budget, errors classified. */
  private call<T>(operation: string, task: (conn: Connection) => Promise<T>): Promise<T> {
    return inClientSpan('salesforce', operation, () => this.callInSlot(task));
  }

  private async callInSlot<T>(task: (conn: Connection) => Promise<T>): Promise<T> {
    const conn = await this.conn();
    const orgId = conn.userInfo?.organizationId ?? this.config.SALESFORCE_LOGIN_URL;
    return this.slots.withSlot(orgId, async () => {
      const usage = conn.limitInfo.apiUsage;
      const delay = usage ? budgetDelayMs(usage.used, usage.limit, this.config.SALESFORCE_API_BUDGET) : 0;
      if (delay > 0) {
        this.logger.warn({
          msg: 'Salesforce API budget: backing off',
          used: usage?.used,
          limit: usage?.limit,
          delayMs: delay,
        });
        await sleep(delay);
      }
      try {
        return await task(conn);
      } catch (error) {
        if (isTransientSalesforceError(error))
          throw new TransientError(`Salesforce: ${(error as Error).message}`, { cause: error });
        throw error;
      }
    });
  }

  private conn(): Promise<Connection> {
    this.connection ??= this.connect().catch((error: unknown) => {
      this.connection = undefined;
      throw new TransientError(`Salesforce login failed: ${(error as Error).message}`, { cause: error });
    });
    return this.connection;
  }

  private async connect(): Promise<Connection> {
    const c = this.config;
    const conn = new Connection({
      oauth2: {
        loginUrl: c.SALESFORCE_LOGIN_URL,
        clientId: c.SALESFORCE_CLIENT_ID,
        clientSecret: c.SALESFORCE_CLIENT_SECRET,
      },
      version: c.SALESFORCE_API_VERSION,
      maxRequest: c.SALESFORCE_MAX_CONCURRENCY,
      callOptions: { client: c.SALESFORCE_CLIENT_NAME },
      refreshFn: (connection, callback) => {
        this.authorize(connection).then(
          () => {
            callback(null, connection.accessToken ?? undefined);
          },
          (error: unknown) => {
            callback(error as Error);
          },
        );
      },
    });
    await this.authorize(conn);
    this.lastConnection = conn;
    return conn;
  }

  private async authorize(conn: Connection): Promise<void> {
    const c = this.config;
    switch (c.SALESFORCE_AUTH_FLOW) {
      case 'client_credentials':
        await conn.authorize({ grant_type: 'client_credentials' });
        return;
      case 'jwt':
        await conn.authorize({
          grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
          assertion: this.jwtAssertion(),
        });
        return;
      default:
        await conn.authorize({
          grant_type: 'password',
          username: c.SALESFORCE_USERNAME,
          password: c.SALESFORCE_PASSWORD,
        });
    }
  }

  /** RFC 7523 assertion: iss = connected app, sub = user, aud = login URL, valid three minutes. */
  private jwtAssertion(): string {
    const c = this.config;
    const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const body = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode({
      iss: c.SALESFORCE_CLIENT_ID,
      sub: c.SALESFORCE_USERNAME,
      aud: c.SALESFORCE_LOGIN_URL,
      exp: Math.floor(Date.now() / 1000) + 180,
    })}`;
    const key = createPrivateKey((c.SALESFORCE_JWT_PRIVATE_KEY ?? '').replace(/\\n/g, '\n'));
    return `${body}.${sign('RSA-SHA256', Buffer.from(body), key).toString('base64url')}`;
  }
}
