import { Injectable } from '@nestjs/common';
import type { AuditLogEntity } from '@revline/auth';
import { AuditLog } from '@revline/auth';
import type {
  AuditLogPageDto,
  AuditLogRowDto,
  AuditVerificationDto,
  ListAuditLogQuery,
} from '@revline/finance-api';
import { DomainError, decodeCursor, encodeCursor } from '@revline/http';
import { MetricsService } from '@revline/observability';

const DEFAULT_LIMIT = 100;
const ROW_ID = (part: string): boolean => /^[1-9]\d{0,18}$/.test(part);

function toRowDto(row: AuditLogEntity): AuditLogRowDto {
  return {
    id: row.id,
    at: row.at.toISOString(),
    actor: row.actor,
    action: row.action,
    target: row.target,
    before: row.before,
    after: row.after,
    correlationId: row.correlationId,
    prevHash: row.prevHash,
    hash: row.hash,
    hashScheme: row.hashScheme,
  };
}

/** The audit log for admins: pages of rows, newest first, and the chain's verification. */
@Injectable()
export class AuditLogReader {
  constructor(
    private readonly audit: AuditLog,
    private readonly metrics: MetricsService,
  ) {}

  async page(query: ListAuditLogQuery): Promise<AuditLogPageDto> {
    if (query.from && query.to && query.from >= query.to) {
      throw new DomainError(400, 'from must be before to', [{ field: 'to', problem: 'must be after from' }]);
    }
    const limit = query.limit ?? DEFAULT_LIMIT;
    const beforeId = query.cursor ? decodeCursor(query.cursor, [ROW_ID])[0] : undefined;
    const rows = await this.audit.page(query, beforeId, limit);
    const last = rows.at(-1);
    return {
      items: rows.map(toRowDto),
      nextCursor: rows.length === limit && last ? encodeCursor(last.id) : null,
    };
  }

  /** Verifies the chain and records the outcome for the audit alerts (deploy/prometheus/alerts.yml). */
  async verify(): Promise<AuditVerificationDto> {
    const verification = await this.audit.verify();
    this.metrics.auditVerified.set({ result: verification.intact ? 'intact' : 'broken' }, Date.now() / 1000);
    return verification;
  }
}
