/**
 * The q2c-usage bench's sender, in a process of its own so that the bench process's memory is process-q2c's: it
 * posts the events as JSON lines, `concurrency` requests at a time, each body generated as it is sent, and answers
 * its figures to the parent (IPC).
 */
import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { usageLinesStream } from './usage-fixtures';

export interface UploadInput {
  url: string;
  authorization: string;
  prefix: string;
  events: number;
  perRequest: number;
  concurrency: number;
  contracts: string[];
}

export interface UploadResult {
  seconds: number;
  requestMs: number[];
  staged: number;
}

/** One streamed request of events `first`..`first + count - 1`. */
function postLines(input: UploadInput, agent: Agent, first: number, count: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      input.url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/x-ndjson', authorization: input.authorization },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const answer = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) reject(new Error(`${String(res.statusCode)}: ${answer.slice(0, 500)}`));
          else resolve((JSON.parse(answer) as { staged: number }).staged);
        });
      },
    );
    req.on('error', reject);
    pipeline(usageLinesStream(input.prefix, first, count, input.contracts), req).catch(reject);
  });
}

/** The sender (a child process): the requests, `concurrency` at a time, each body generated as it is sent. */
async function upload(input: UploadInput): Promise<UploadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: input.concurrency });
  const starts: number[] = [];
  for (let first = 0; first < input.events; first += input.perRequest) starts.push(first);
  const requestMs: number[] = [];
  let staged = 0;
  const t0 = performance.now();
  const worker = async () => {
    for (let first = starts.shift(); first !== undefined; first = starts.shift()) {
      const start = performance.now();
      const answered = await postLines(input, agent, first, Math.min(input.perRequest, input.events - first));
      staged += answered;
      requestMs.push(Math.round(performance.now() - start));
    }
  };
  await Promise.all(Array.from({ length: input.concurrency }, worker));
  agent.destroy();
  return { seconds: (performance.now() - t0) / 1000, requestMs, staged };
}

process.once('message', (input: UploadInput) => {
  upload(input).then(
    (result) => process.send?.({ result }, () => process.exit(0)),
    (error: unknown) => process.send?.({ error: String(error) }, () => process.exit(1)),
  );
});
