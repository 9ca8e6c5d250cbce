import { Global, Module } from '@nestjs/common';
import { SESSION_AUTHENTICATOR } from '@revline/auth';
import { ConsoleSessions } from './console-sessions';
import { ConsoleStatic } from './console-static';
import { SessionController } from './session.controller';

/**
 * The finance console: its sessions (the guard accepts their cookie on every route, hence global) and the built
 * single-page app it serves at `/`.
 */
@Global()
@Module({
  controllers: [SessionController],
  providers: [
    ConsoleSessions,
    ConsoleStatic,
    { provide: SESSION_AUTHENTICATOR, useExisting: ConsoleSessions },
  ],
  exports: [ConsoleSessions, SESSION_AUTHENTICATOR],
})
export class ConsoleModule {}
