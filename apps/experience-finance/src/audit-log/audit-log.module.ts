import { Module } from '@nestjs/common';
import { AuditLogController } from './audit-log.controller';
import { AuditLogReader } from './audit-log-reader';

/** The audit log and its verification, for integration admins. */
@Module({ controllers: [AuditLogController], providers: [AuditLogReader] })
export class AuditLogModule {}
