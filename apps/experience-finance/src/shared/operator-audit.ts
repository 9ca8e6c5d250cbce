import { Injectable } from '@nestjs/common';
import type { AuthenticatedRequest } from '@revline/auth';
import { actorOf, AuditLog } from '@revline/auth';

/**
 * The experience API's own record of what a finance operator did through it (process-q2c audits the same action
 * under the service key; this row names the person's key).
 */
@Injectable()
export class OperatorAudit {
  constructor(private readonly audit: AuditLog) {}

  async record(request: AuthenticatedRequest, action: string, target: string, after: object): Promise<void> {
    await this.audit.append({ actor: actorOf(request), action, target, before: null, after });
  }
}
