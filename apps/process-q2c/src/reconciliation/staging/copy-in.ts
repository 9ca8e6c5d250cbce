import type { Readable } from 'node:stream';
import type { PoolClient } from 'pg';

/** The part of pg's connection a COPY FROM STDIN speaks to (the same calls pg-copy-streams makes). */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
  stream: { writableNeedDrain?: boolean; once(event: 'drain', listener: () => void): void };
}

/**
 * `COPY … FROM STDIN` fed from a byte stream, as a pg "submittable" query (pg speaks COPY only through such an
 * object; pg-copy-streams is one, not installed here). The source is read chunk by chunk and written to the
 * socket as it comes, waiting for the socket to drain, so memory stays flat whatever the size of the export.
 * Resolves with the rows copied; a source error aborts the COPY (CopyFail) and rejects.
 */
class CopyFromStream {
  private rowCount = 0;
  private failure: Error | undefined;
  private settled = false;
  private connection: CopyConnection | undefined;

  constructor(
    readonly text: string,
    private readonly source: Readable,
    private readonly done: (error: Error | undefined, rows: number) => void,
  ) {}

  submit(connection: CopyConnection): void {
    this.connection = connection;
    connection.query(this.text);
  }

  handleCopyInResponse(connection: CopyConnection): void {
    void this.pump(connection);
  }

  private async pump(connection: CopyConnection): Promise<void> {
    try {
      for await (const chunk of this.source) {
        if (this.settled) return;
        connection.sendCopyFromChunk(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
        if (connection.stream.writableNeedDrain)
          await new Promise<void>((resolve) => {
            connection.stream.once('drain', resolve);
          });
      }
      connection.endCopyFrom();
    } catch (error) {
      if (this.settled) return;
      this.failure = error instanceof Error ? error : new Error(String(error));
      connection.sendCopyFail(`source failed: ${this.failure.message}`);
    }
  }

  handleCommandComplete(message: { text?: string }): void {
    const match = /COPY (\d+)/.exec(message.text ?? '');
    this.rowCount = match ? Number(match[1]) : 0;
  }

  /**
   * pg ends a query at its error: it forgets the query before the server's ReadyForQuery, so that never reaches us
   * and the COPY must settle here (a source that failed, a malformed row, a header that does not match).
   */
  handleError(error: Error): void {
    this.failure ??= error;
    this.source.destroy();
    this.settle();
  }

  handleReadyForQuery(): void {
    this.settle();
  }

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    this.done(this.failure, this.rowCount);
  }

  /** pg calls these for other queries' messages; a COPY FROM never receives them. */
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handlePortalSuspended(): void {}
  handleEmptyQuery(): void {}
  handleCopyData(): void {}
}

export function copyFrom(client: PoolClient, text: string, source: Readable): Promise<number> {
  return new Promise((resolve, reject) => {
    const query = new CopyFromStream(text, source, (error, rows) => {
      if (error) reject(error);
      else resolve(rows);
    });
    (client as unknown as { query(q: CopyFromStream): void }).query(query);
  });
}
