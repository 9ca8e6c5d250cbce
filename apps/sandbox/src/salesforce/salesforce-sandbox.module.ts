import { Module } from '@nestjs/common';
import { PlatformModule } from '@revline/platform';

/** The Salesforce stand-in. It checks Salesforce's own credentials, not Revline API keys. */
@Module({
  imports: [PlatformModule.forApp({})],
})
export class SalesforceSandboxModule {}
