import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { runWithCorrelation } from './correlation';
import { createLogger, PinoLoggerService } from './logger';

function capture(): { lines: () => Array<Record<string, unknown>>; stream: Writable } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('logger', () => {
  it('puts the correlation id in scope on every line, as JSON', () => {
    const out = capture();
    const logger = new PinoLoggerService(createLogger('process-q2c', 'info', out.stream));
    runWithCorrelation({ correlationId: 'corr-123', causationId: 'msg-9' }, () => {
      logger.log('saga started', 'SagaRunner');
    });
    logger.log('outside any request');
    const [inside, outside] = out.lines();
    expect(inside).toMatchObject({
      app: 'process-q2c',
      msg: 'saga started',
      context: 'SagaRunner',
      correlationId: 'corr-123',
      causationId: 'msg-9',
    });
    expect(outside.correlationId).toBeUndefined();
  });

  it('never writes secrets or personal data', () => {
    const out = capture();
    const logger = createLogger('system-billing', 'info', out.stream);
    logger.info(
      {
        authorization: 'Bearer rvl_secret',
        customer: { email: 'cfo@acme.test', name: 'Acme' },
        clientSecret: 'shh',
      },
      'call',
    );
    const text = JSON.stringify(out.lines());
    expect(text).not.toContain('rvl_secret');
    expect(text).not.toContain('cfo@acme.test');
    expect(text).not.toContain('shh');
    expect(text).toContain('Acme');
  });

  it('keeps the stack of an error', () => {
    const out = capture();
    new PinoLoggerService(createLogger('x', 'info', out.stream)).error(new Error('boom'), 'Ctx');
    const [line] = out.lines();
    expect(line).toMatchObject({ level: pino.levels.values.error, msg: 'boom', context: 'Ctx' });
    expect(JSON.stringify(line.err)).toContain('Error: boom');
  });
});
