import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Envelope } from '@revline/messaging';
import { ExceptionRecorder, RecurringTask } from '@revline/messaging';
import { DataSource } from 'typeorm';
import { LineageRecorder } from '../lineage/lineage-recorder';
import { SagaCommandsRepository } from './saga-commands.repository';
import { SAGA_STATUS } from './saga-data';
import type { SagaEntity } from './saga.entity';
import { SagasRepository } from './sagas.repository';
import { SagasConfig } from '../shared/sagas.config';

const BATCH = 100;

/**
 * A wait past its deadline becomes a `confirmation_timeout` exception, not a hang: the saga parks, and the exception
 * carries the command it waits on (retrying it sends the command again under its idempotency key). A saga that
 * then moves on resolves the exception. Sweeps every SAGA_SWEEP_MS; many instances share the work (SKIP LOCKED).
 */
@Injectable()
export class SagaTimeouts implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SagaTimeouts.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly exceptions: ExceptionRecorder,
    private readonly lineage: LineageRecorder,
    private readonly config: SagasConfig,
    private readonly sagas: SagasRepository,
    private readonly commands: SagaCommandsRepository,
  ) {}

  private readonly loop = new RecurringTask(
    'Saga timeout sweep',
    () => this.config.SAGA_SWEEP_MS,
    async () => {
      await this.sweep();
      return false;
    },
  );

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** Parks the sagas past their deadline; returns how many. */
  async sweep(): Promise<number> {
    const expired = await this.dataSource.transaction(async (manager) => {
      const sagas = await this.sagas.lockExpired(manager, BATCH);
      const out: Array<{ saga: SagaEntity; envelope: Envelope | null }> = [];
      for (const saga of sagas) {
        const key = saga.data.pending[0] ?? `saga:${saga.eventId}:billing`;
        const envelope = await this.commands.sentEnvelope(manager, key);
        const waitingFor = saga.data.pending.length > 0 ? `confirmation of ${key}` : `a billing document`;
        saga.status = SAGA_STATUS.parked;
        saga.lastError = `confirmation_timeout: step ${saga.step} waited past ${saga.slaDeadline?.toISOString() ?? '?'} for ${waitingFor}`;
        await this.sagas.save(manager, saga);
        await this.lineage.record(
          {
            contractId: saga.contractId,
            system: 'revline',
            objectType: 'Saga',
            externalId: saga.sagaId,
            status: 'confirmation_timeout',
            correlationId: saga.correlationId,
            detail: saga.lastError,
          },
          manager,
        );
        out.push({ saga, envelope });
      }
      return out;
    });
    for (const { saga, envelope } of expired) {
      if (!envelope) continue;
      await this.exceptions.record(envelope, {
        category: 'confirmation_timeout',
        reason: `Contract ${saga.contractId}: the ${saga.kind} saga waited too long at step ${saga.step} (${saga.lastError ?? ''}). Retry sends the awaited command again.`,
        details: { sagaId: saga.sagaId, contractId: saga.contractId, step: saga.step },
      });
    }
    return expired.length;
  }
}
