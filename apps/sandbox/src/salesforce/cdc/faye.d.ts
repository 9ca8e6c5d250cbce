/** The part of faye (1.4, untyped) that the Salesforce sandbox and jsforce's streaming client use. */
declare module 'faye' {
  import type { IncomingMessage, Server } from 'node:http';

  export interface BayeuxMessage {
    channel: string;
    clientId?: string;
    id?: string;
    subscription?: string | string[];
    data?: unknown;
    ext?: Record<string, unknown>;
    error?: string;
    successful?: boolean;
    advice?: Record<string, unknown>;
  }

  export type Callback = (message: BayeuxMessage) => void;

  export interface ServerExtension {
    incoming?(message: BayeuxMessage, request: IncomingMessage | null, callback: Callback): void;
    outgoing?(message: BayeuxMessage, request: IncomingMessage | null, callback: Callback): void;
  }

  export interface ClientExtension {
    incoming?(message: BayeuxMessage, callback: Callback): void;
    outgoing?(message: BayeuxMessage, callback: Callback): void;
  }

  export class NodeAdapter {
    constructor(options: { mount: string; timeout?: number; ping?: number });
    attach(server: Server): void;
    addExtension(extension: ServerExtension): void;
    bind(event: 'handshake' | 'disconnect', listener: (clientId: string) => void): void;
    close(): void;
  }

  export interface Subscription {
    cancel(): void;
    then(onSucceeded: () => void, onFailed: (error: { message: string }) => void): void;
  }

  export class Client {
    constructor(url: string, options?: { timeout?: number; retry?: number });
    subscribe(channel: string, listener: (message: unknown) => void): Subscription;
    addExtension(extension: ClientExtension): void;
    disconnect(): void;
    setHeader(name: string, value: string): void;
    on(event: 'transport:down' | 'transport:up', listener: () => void): void;
  }

  const faye: { NodeAdapter: typeof NodeAdapter; Client: typeof Client };
  export default faye;
}
