import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { SandboxClock } from '../org/clock';
import { ORG_ID } from '../org/ids';
import { SalesforceSandboxConfig } from '../sandbox-config';

export interface Session {
  userId: string;
  expiresAt: number;
}

/** Access tokens the org issued, as `00D…!…` session ids, each with its user and expiry (on the org's clock). */
@Injectable()
export class TokenStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly clock: SandboxClock,
    private readonly config: SalesforceSandboxConfig,
  ) {}

  issue(userId: string): string {
    const token = `${ORG_ID.slice(0, 15)}!${randomBytes(48).toString('base64url')}`;
    this.sessions.set(token, {
      userId,
      expiresAt: this.clock.now().getTime() + this.config.SANDBOX_SF_SESSION_SECONDS * 1000,
    });
    return token;
  }

  /** The session of an `Authorization` header (`Bearer …` or `OAuth …`), or undefined if absent or expired. */
  authenticate(header: string | string[] | undefined): Session | undefined {
    const value = Array.isArray(header) ? header[0] : header;
    const match = /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(value ?? '');
    const session = match ? this.sessions.get(match[1]) : undefined;
    if (!session || session.expiresAt <= this.clock.now().getTime()) return undefined;
    return session;
  }

  /** The live sessions, kept across restarts as Salesforce keeps them across its own. */
  snapshot(): Map<string, Session> {
    return new Map(this.sessions);
  }

  restore(sessions: Map<string, Session>): void {
    this.sessions.clear();
    for (const [token, session] of sessions) this.sessions.set(token, session);
  }

  /** Ends every session (an admin route), so a client must refresh its token. */
  expireAll(): number {
    const count = this.sessions.size;
    this.sessions.clear();
    return count;
  }
}
