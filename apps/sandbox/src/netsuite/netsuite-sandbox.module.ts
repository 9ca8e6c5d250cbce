import { Module } from '@nestjs/common';
import { PlatformModule } from '@revline/platform';

/** The NetSuite stand-in. It checks NetSuite's own credentials, not Revline API keys. */
@Module({
  imports: [PlatformModule.forApp({})],
})
export class NetSuiteSandboxModule {}
