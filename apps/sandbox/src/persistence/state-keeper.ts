import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { join } from 'node:path';
import type { SandboxStateConfig } from './sandbox-state.config';
import { readStateFile, writeStateFile } from './state-file';

/**
 * Keeps one vendor's state in a file under `SANDBOX_STATE_DIR`, so a restart finds the records (and the id
 * counters) Revline's database already knows. Loads it before the vendor serves its first request; then checks a
 * cheap revision of the state every `SANDBOX_STATE_SAVE_MS` and rewrites the file when it moved; writes it once
 * more at shutdown. Without a directory it keeps nothing and only seeds.
 */
export abstract class StateKeeper<S> implements OnModuleInit, OnApplicationShutdown {
  protected abstract readonly vendor: string;
  private readonly logger = new Logger(this.constructor.name);
  private timer?: NodeJS.Timeout;
  private savedRevision: string | null = null;

  protected constructor(protected readonly settings: SandboxStateConfig) {}

  /** The whole state, as plain data (Maps, Sets, Buffers and bigints allowed). */
  protected abstract snapshot(): S;
  /** Replaces the in-memory state with a snapshot. */
  protected abstract restore(state: S): void;
  /** Moves whenever the state changes; compared, never interpreted. */
  protected abstract revision(): string;
  /** Creates what the vendor must hold at start when it is missing (never twice). */
  protected seed(): void {
    // Most vendors seed nothing.
  }

  get path(): string | null {
    const dir = this.settings.SANDBOX_STATE_DIR.trim();
    return dir ? join(dir, `${this.vendor}.state`) : null;
  }

  onModuleInit(): void {
    const path = this.path;
    if (path) {
      const state = readStateFile(path, this.vendor);
      if (state !== undefined) {
        this.restore(state as S);
        this.logger.log(`${this.vendor}: state restored from ${path}`);
      }
    }
    if (this.settings.SANDBOX_SEED_CATALOGUE === 'default') this.seed();
    if (!path) return;
    this.save();
    this.timer = setInterval(() => {
      if (this.revision() !== this.savedRevision) this.save();
    }, this.settings.SANDBOX_STATE_SAVE_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    if (this.path) this.save();
  }

  /** Writes the state now. */
  save(): void {
    const path = this.path;
    if (!path) return;
    const revision = this.revision();
    try {
      writeStateFile(path, this.vendor, this.snapshot());
      this.savedRevision = revision;
    } catch (error) {
      this.logger.error(`${this.vendor}: could not save ${path}: ${(error as Error).message}`);
    }
  }
}
