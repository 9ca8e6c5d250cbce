import { Module } from '@nestjs/common';
import { PlatformModule } from '@revline/platform';

/** The Stripe stand-in. It checks Stripe's own credentials, not Revline API keys. */
@Module({
  imports: [PlatformModule.forApp({})],
})
export class StripeSandboxModule {}
