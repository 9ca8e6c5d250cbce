import { Global, Module } from '@nestjs/common';
import { OperatorAudit } from './operator-audit';

@Global()
@Module({ providers: [OperatorAudit], exports: [OperatorAudit] })
export class SharedModule {}
