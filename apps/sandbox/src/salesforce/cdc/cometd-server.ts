// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- faye ships no types; its declaration sits beside this file
/// <reference path="./faye.d.ts" />
import { Injectable, Logger } from '@nestjs/common';
import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import faye from 'faye';
import type { BayeuxMessage, Callback, NodeAdapter } from 'faye';
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import { TokenStore } from '../auth/token-store';
import { objectDef } from '../org/schema';
import { SalesforceSandboxConfig } from '../sandbox-config';
import type { LoggedEvent } from './change-event-log';
import { ChangeEventLog, entityChannel } from './change-event-log';

export const ALL_CHANGE_EVENTS = '/data/ChangeEvents';

/** The faye internals used to queue a message for one client (faye has no public per-client delivery). */
interface FayeMemoryEngine {
  subscribe(clientId: string, channel: string): void;
  publish(message: BayeuxMessage, channels: string[]): void;
  clientExists(clientId: string, callback: (exists: boolean) => void): void;
}

interface Subscriber {
  clientId: string;
  channel: string;
}

function privateChannel(clientId: string): string {
  return `/sandbox-private/${clientId}`;
}

function subscribes(channel: string, event: LoggedEvent): boolean {
  return channel === ALL_CHANGE_EVENTS || channel === entityChannel(event.entity);
}

/** The channels a client may subscribe to: all change events, or one CDC-enabled object's. */
function isKnownChannel(channel: string): boolean {
  if (channel === ALL_CHANGE_EVENTS) return true;
  const match = /^\/data\/(\w+?)(__)?ChangeEvent$/.exec(channel);
  if (!match) return false;
  const entity = match[2] ? `${match[1]}__c` : match[1];
  return objectDef(entity)?.cdc === true && entityChannel(entity) === channel;
}

/**
 * Change Data Capture over CometD (Bayeux), served by faye on the sandbox's own HTTP server at `/cometd/NN.N`.
 * The handshake needs a valid OAuth token; a subscribe may carry the replay extension (`-1` new events only,
 * `-2` everything retained, or a replay id to resume after), and a replay id older than the retention window
 * is refused with Salesforce's 400 error. Each subscriber gets its own ordered stream: the retained backlog,
 * then live events.
 */
@Injectable()
export class CometdServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(CometdServer.name);
  private adapter?: NodeAdapter;
  private engine?: FayeMemoryEngine;
  private subscribers: Subscriber[] = [];
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly log: ChangeEventLog,
    private readonly tokens: TokenStore,
    private readonly config: SalesforceSandboxConfig,
  ) {}

  onApplicationBootstrap(): void {
    const adapter = new faye.NodeAdapter({
      mount: '/cometd',
      timeout: this.config.SANDBOX_SF_COMETD_TIMEOUT_SECONDS,
    });
    this.engine = (
      adapter as unknown as { _server: { _engine: { _engine: FayeMemoryEngine } } }
    )._server._engine._engine;
    adapter.addExtension({
      incoming: (message, request, callback) => {
        this.incoming(message, request, callback);
      },
      outgoing: (message, _request, callback) => {
        callback(this.outgoing(message));
      },
    });
    adapter.bind('disconnect', (clientId) => {
      this.subscribers = this.subscribers.filter((s) => s.clientId !== clientId);
    });
    const server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    adapter.attach(server);
    server.on('upgrade', (_request: IncomingMessage, socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.adapter = adapter;
    this.log.onEvent((event) => {
      this.deliverLive(event);
    });
  }

  /** Flushes pending long polls and drops streaming websockets, so the HTTP server can close at once. */
  beforeApplicationShutdown(): void {
    this.adapter?.close();
    for (const socket of this.sockets) socket.destroy();
    this.subscribers = [];
  }

  /** How many subscriptions are open: for tests and the admin view. */
  get subscriptionCount(): number {
    return this.subscribers.length;
  }

  private incoming(message: BayeuxMessage, request: IncomingMessage | null, callback: Callback): void {
    const authorised = (): boolean =>
      request === null || !!this.tokens.authenticate(request.headers.authorization);
    switch (message.channel) {
      case '/meta/handshake':
        if (!authorised()) message.error = '403::Handshake denied';
        {
          callback(message);
          return;
        }
      case '/meta/connect':
        if (!authorised()) message.error = '401::Authentication invalid';
        {
          callback(message);
          return;
        }
      case '/meta/subscribe': {
        this.subscribe(message, authorised(), callback);
        return;
      }
      case '/meta/unsubscribe':
      case '/meta/disconnect':
        if (message.channel === '/meta/disconnect' || typeof message.subscription === 'string') {
          this.subscribers = this.subscribers.filter(
            (s) =>
              s.clientId !== message.clientId ||
              (message.subscription !== undefined && s.channel !== message.subscription),
          );
        }
        {
          callback(message);
          return;
        }
      default:
        if (!message.channel.startsWith('/meta/'))
          message.error = '403::Publishing is not allowed on this channel';
        {
          callback(message);
          return;
        }
    }
  }

  private outgoing(message: BayeuxMessage): BayeuxMessage {
    if (message.channel === '/meta/handshake') {
      if (message.successful === false) {
        message.ext = { sfdc: { failureReason: '401::Authentication invalid' }, replay: true };
        message.advice = { reconnect: 'none' };
      } else message.ext = { replay: true, 'payload.format': true };
    }
    return message;
  }

  private subscribe(message: BayeuxMessage, authorised: boolean, callback: Callback): void {
    const channel = message.subscription;
    const clientId = message.clientId;
    if (!authorised) {
      message.error = '401::Authentication invalid';
      callback(message);
      return;
    }
    if (typeof channel !== 'string' || !clientId || !isKnownChannel(channel)) {
      message.error = `403::Unknown channel`;
      callback(message);
      return;
    }
    const replayMap = (message.ext?.replay ?? {}) as Record<string, unknown>;
    const requested = replayMap[channel];
    const replayId = requested === undefined || requested === null ? -1 : Number(requested);
    if (!this.log.canReplayFrom(replayId)) {
      message.error = `400::The replayId {${String(requested)}} you provided was invalid.  Please provide a valid ID, -2 to replay all events, or -1 to replay only new events.`;
      callback(message);
      return;
    }
    const engine = this.engine as FayeMemoryEngine;
    engine.clientExists(clientId, (exists) => {
      if (exists) {
        engine.subscribe(clientId, privateChannel(clientId));
        this.subscribers = this.subscribers.filter(
          (s) => !(s.clientId === clientId && s.channel === channel),
        );
        for (const event of this.log.after(replayId)) {
          if (subscribes(channel, event)) this.send(clientId, channel, event);
        }
        this.subscribers.push({ clientId, channel });
      }
      callback(message);
    });
  }

  private deliverLive(event: LoggedEvent): void {
    if (event.delivery === 'dropped') return;
    for (const subscriber of this.subscribers) {
      if (!subscribes(subscriber.channel, event)) continue;
      this.send(subscriber.clientId, subscriber.channel, event);
      if (event.delivery === 'duplicated') this.send(subscriber.clientId, subscriber.channel, event);
    }
  }

  private send(clientId: string, channel: string, event: LoggedEvent): void {
    try {
      this.engine?.publish({ channel, data: event.data }, [privateChannel(clientId)]);
    } catch (error) {
      this.logger.warn(`CometD delivery to ${clientId} failed: ${(error as Error).message}`);
    }
  }
}
