import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@revline/auth';
import { AuditLogPageDto, AuditVerificationDto, ListAuditLogQuery } from '@revline/finance-api';
import { ApiAuthProblems } from '@revline/http';
import { ApiBadRequest } from '../shared/problem-docs';
import { AuditLogReader } from './audit-log-reader';

@ApiTags('audit-log')
@Roles('integration.admin')
@Controller('v1/audit-log')
export class AuditLogController {
  constructor(private readonly reader: AuditLogReader) {}

  @Get()
  @ApiOperation({
    summary: 'The audit log: who did what, when, before and after',
    description:
      'Operator actions, key changes and mapping changes, newest first, each with the hash chaining it to the row before. Filter by `actor` (text the actor contains, e.g. a key id), `action`, `from` (inclusive) and `to` (exclusive). Paged with `limit` (default 100) and `cursor` (pass `nextCursor` back; null on the last page). Role integration.admin.',
  })
  @ApiOkResponse({ type: AuditLogPageDto })
  @ApiBadRequest('from must be an ISO 8601 date-time, e.g. 2026-03-01T00:00:00Z', 'from', '/v1/audit-log')
  @ApiAuthProblems('integration.admin', '/v1/audit-log')
  listAuditLog(@Query() query: ListAuditLogQuery): Promise<AuditLogPageDto> {
    return this.reader.page(query);
  }

  @Get('verify')
  @ApiOperation({
    summary: 'Verify the audit chain from its first row',
    description:
      'Recomputes every row hash (SHA-256 of the RFC 8785 canonical JSON of the row and the previous hash) and answers whether the chain holds, the head it reached and, when it does not hold, the first broken row: `content` when that row was changed, `link` when the row before it was removed or rewritten. Compare `head.hash` with the head hashes the apps logged and exported (`revline_audit_log_head`). Role integration.admin.',
  })
  @ApiOkResponse({ type: AuditVerificationDto })
  @ApiAuthProblems('integration.admin', '/v1/audit-log/verify')
  verifyAuditLog(): Promise<AuditVerificationDto> {
    return this.reader.verify();
  }
}
