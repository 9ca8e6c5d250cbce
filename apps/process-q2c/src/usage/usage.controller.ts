import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Logger,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConsumes,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { AuthenticatedRequest } from '@revline/auth';
import { actorOf, Roles } from '@revline/auth';
import { ApiAuthProblems, ApiProblem, DomainError, problemExample } from '@revline/http';
import type { FastifyReply } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { OutgoingHttpHeaders } from 'node:http';
import { finished } from 'node:stream/promises';
import { UuidParam } from '../shared/path-params';
import { MAX_JSON_ROWS, MAX_REJECTS, PERIOD_CLOSED_TYPE } from './parse-usage';
import type { UsageOutcome } from './report-usage.usecase';
import { ReportUsage } from './report-usage.usecase';
import { bodyKindOf, CSV_TYPE, JSON_LINES_TYPES, usageLines } from './usage-source';
import type { IngestionMode, IngestionRow } from './usage.repository';
import { UsageRepository } from './usage.repository';
import {
  ParkedUsageDto,
  UsageAcceptedDto,
  UsageIngestionDto,
  UsageOutcomeDto,
  UsageRowDto,
} from './usage.dto';

const DESCRIPTION = `Usage events as JSON lines (\`application/x-ndjson\`, \`application/jsonl\`) or CSV (\`text/csv\`, a header row naming the fields), either gzip-encoded (\`Content-Encoding: gzip\`), read line by line as they arrive and staged in batches (COPY), so a request of any size (1,000,000 events and more) keeps memory flat. A JSON array is read whole: at most ${String(MAX_JSON_ROWS)} events and the body size limit (BODY_LIMIT_BYTES).

Each event has an identifier: a repeat, in this request or any earlier one, is counted once (in \`duplicates\`); a repeat within the request with other values is a bad line. By default a request is applied whole or not at all: one bad line (malformed, an unknown contract, a product that is not a metered product of the catalogue, a month whose revenue run has posted) refuses it with a 400 naming every bad line and its reason (the first ${String(MAX_REJECTS)}; the count covers all), and nothing is written. When every bad line is late (its period's revenue run has posted) the refusal is a 409 of type ${PERIOD_CLOSED_TYPE}. \`mode=partial\` applies the good lines and answers the bad ones in \`rejects\`.

\`Prefer: respond-async\` answers 202 at once, with the ingestion's id and its \`Location\`; GET /v1/usage/ingestions/{id} shows its progress and outcome. Every request gets an ingestion record.`;

const ingestionOf = (row: IngestionRow): UsageIngestionDto => ({
  ingestionId: row.ingestion_id,
  mode: row.mode,
  state: row.state,
  contentType: row.content_type,
  linesRead: Number(row.lines_read),
  accepted: Number(row.accepted),
  duplicates: Number(row.duplicates),
  parked: Number(row.parked),
  rejected: Number(row.rejected),
  rejects: row.rejects,
  ...(row.detail ? { detail: row.detail } : {}),
  startedAt: row.started_at.toISOString(),
  ...(row.finished_at ? { finishedAt: row.finished_at.toISOString() } : {}),
});

function modeOf(mode: string | undefined): IngestionMode {
  if (mode === undefined || mode === 'whole') return 'whole';
  if (mode === 'partial') return 'partial';
  throw new DomainError(400, `mode must be whole or partial, was "${mode}"`, [
    { field: 'mode', problem: 'must be whole or partial' },
  ]);
}

/**
 * The 202 of `Prefer: respond-async`: status, headers (Location) and body are sent at once, and the response ends
 * once the request's body has been read (or its ingestion has stopped): Node closes a connection whose response
 * ends before its request, which would cut the upload short.
 */
async function answerAccepted(
  reply: FastifyReply,
  ingestionId: string,
  run: Promise<unknown>,
): Promise<void> {
  const location = `/v1/usage/ingestions/${ingestionId}`;
  const body: UsageAcceptedDto = { ingestionId, state: 'running', location };
  reply.hijack();
  reply.raw.writeHead(202, {
    ...(reply.getHeaders() as OutgoingHttpHeaders),
    'content-type': 'application/json; charset=utf-8',
    location,
    'preference-applied': 'respond-async',
  });
  reply.raw.write(JSON.stringify(body));
  await Promise.race([finished(reply.request.raw).catch(() => undefined), run]);
  reply.raw.end();
}

const respondAsync = (prefer: string | undefined): boolean =>
  (prefer ?? '').split(',').some((p) => p.trim().toLowerCase() === 'respond-async');

@ApiTags('usage')
@Roles('finance.operator')
@Controller('v1/usage')
export class UsageController {
  private readonly logger = new Logger('Usage');

  constructor(
    private readonly report: ReportUsage,
    private readonly repository: UsageRepository,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Report usage in bulk, streamed', description: DESCRIPTION })
  @ApiConsumes('application/json', ...JSON_LINES_TYPES, CSV_TYPE)
  @ApiBody({ type: UsageRowDto, isArray: true })
  @ApiQuery({ name: 'mode', required: false, enum: ['whole', 'partial'] })
  @ApiHeader({ name: 'Prefer', required: false, description: '`respond-async`: answer 202 at once' })
  @ApiHeader({ name: 'Content-Encoding', required: false, description: '`gzip` (JSON lines and CSV)' })
  @ApiOkResponse({ type: UsageOutcomeDto })
  @ApiAcceptedResponse({
    type: UsageAcceptedDto,
    description:
      'With Prefer: respond-async: sent as soon as the request is accepted (Location names the ingestion); the response ends when the body has been received',
  })
  @ApiProblem(
    400,
    'Bad lines (every one named, up to 100), or a body that cannot be read (not gzip, not UTF-8); nothing was written',
    problemExample(
      400,
      '1 bad line(s) in the usage, nothing was written: lines[3].quantity must be …',
      '/v1/usage',
      {
        errors: [
          { field: 'lines[3].quantity', problem: 'must be a non-negative whole number or decimal string' },
        ],
        ingestionId: '5b0c1f9e-3c1a-4d52-8f0e-2f6d0c3b7a11',
      },
    ),
  )
  @ApiProblem(
    409,
    'Every bad line is a late event: its period’s revenue run has posted; nothing was written',
    {
      ...problemExample(
        409,
        '1 bad line(s) in the usage, nothing was written: lines[1].occurredAt falls in 2026-03, …',
        '/v1/usage',
        {
          errors: [
            {
              field: 'lines[1].occurredAt',
              problem: 'falls in 2026-03, a period whose revenue run has posted',
            },
          ],
          ingestionId: '5b0c1f9e-3c1a-4d52-8f0e-2f6d0c3b7a11',
        },
      ),
      type: PERIOD_CLOSED_TYPE,
    },
  )
  @ApiProblem(
    415,
    'A Content-Encoding other than gzip',
    problemExample(415, 'Content-Encoding br is not supported: send gzip or none', '/v1/usage'),
  )
  @ApiAuthProblems('finance.operator', '/v1/usage')
  async reportUsage(
    @Body() body: unknown,
    @Query('mode') mode: string | undefined,
    @Headers('content-type') contentType: string | undefined,
    @Headers('content-encoding') encoding: string | undefined,
    @Headers('prefer') prefer: string | undefined,
    @Req() request: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UsageOutcome | undefined> {
    const kind = bodyKindOf(contentType);
    const upload = {
      lines: usageLines(body, kind, encoding),
      mode: modeOf(mode),
      jsonArray: kind === 'json',
    };
    const ingestionId = randomUUID();
    await this.report.open(ingestionId, upload.mode, contentType ?? 'application/json', actorOf(request));
    if (!respondAsync(prefer)) return this.report.execute(ingestionId, upload);
    const run = this.report.execute(ingestionId, upload).catch((error: unknown) => {
      if (!(error instanceof DomainError))
        this.logger.error({ msg: 'usage ingestion failed', ingestionId, err: error });
    });
    await answerAccepted(reply, ingestionId, run);
    return undefined;
  }

  @Get('parked')
  @Roles('finance.viewer')
  @ApiOperation({
    summary:
      'Usage waiting for its contract’s booking (USAGE_UNKNOWN_CONTRACT=park), per contract, oldest first',
    description:
      'Events of a contract Revline does not know yet are kept once per identifier and ingested as an ingestion of their own (requested by `revline:parked-usage`) once the contract’s booking completes. At most 500 contracts.',
  })
  @ApiOkResponse({ type: ParkedUsageDto, isArray: true })
  @ApiAuthProblems('finance.viewer', '/v1/usage/parked')
  async parked(): Promise<ParkedUsageDto[]> {
    const rows = await this.repository.parkedSummary(500);
    return rows.map((r) => ({
      contractId: r.contract_id,
      events: r.events,
      firstParkedAt: r.first_parked_at.toISOString(),
      firstOccurredAt: r.first_occurred_at.toISOString(),
    }));
  }

  @Get('ingestions/:id')
  @Roles('finance.viewer')
  @ApiOperation({
    summary: 'An ingestion’s progress and outcome: lines read, accepted, rejected (with reasons), state',
  })
  @ApiOkResponse({ type: UsageIngestionDto })
  @ApiProblem(
    404,
    'No such ingestion',
    problemExample(404, 'No usage ingestion 5b0c…', '/v1/usage/ingestions/5b0c…'),
  )
  @ApiAuthProblems('finance.viewer', '/v1/usage/ingestions/5b0c…')
  async ingestion(@Param('id', UuidParam) id: string): Promise<UsageIngestionDto> {
    const row = await this.repository.ingestion(id);
    if (!row) throw new DomainError(404, `No usage ingestion ${id}`);
    return ingestionOf(row);
  }
}
