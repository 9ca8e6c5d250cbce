import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { HarnessModule } from './harness.module';

/** A worker process for the messaging specs: consumes billing.commands with the harness handlers until killed. */
async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(HarnessModule, { logger: ['error'] });
  app.enableShutdownHooks();
  process.stdout.write('harness worker ready\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`harness worker failed: ${String(error)}\n`);
  process.exit(1);
});
