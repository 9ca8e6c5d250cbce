import { BusinessError, ConnectionError, createEnvelope } from '@revline/messaging';
import { describe, expect, it } from 'vitest';
import { classifyWriteBackFailure, toCrmRejection } from './write-back-refusal';

const sfError = (errorCode: string, message = 'refused') => Object.assign(new Error(message), { errorCode });

describe('classifying a failed write-back', () => {
  it('a save Salesforce refused (validation rule) is a refusal with its code, message and field', () => {
    const error = new BusinessError('write_back_rejected', 'Billing ids are entered by the billing team.', {
      errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      fields: ['Revline_Billing_Id__c'],
    });
    expect(classifyWriteBackFailure(error)).toEqual({
      kind: 'refused',
      errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: 'Billing ids are entered by the billing team.',
      field: 'Revline_Billing_Id__c',
    });
  });

  it('a command that cannot be written as it is is refused with its category', () => {
    expect(
      classifyWriteBackFailure(new BusinessError('schema_violation', 'colour is not a write-back field')),
    ).toMatchObject({ kind: 'refused', errorCode: 'schema_violation' });
  });

  it('a request Salesforce refuses with its own error code (a field it does not know) is refused', () => {
    expect(classifyWriteBackFailure(sfError('INVALID_FIELD', 'No such column'))).toEqual({
      kind: 'refused',
      errorCode: 'INVALID_FIELD',
      message: 'No such column',
    });
    expect(classifyWriteBackFailure(sfError('ERROR_HTTP_400'))).toMatchObject({ kind: 'refused' });
  });

  it('a refused login or an unreachable org is the connection, not the record', () => {
    for (const code of ['invalid_grant', 'INVALID_SESSION_ID', 'ERROR_HTTP_401', 'ECONNREFUSED']) {
      const failure = classifyWriteBackFailure(sfError(code));
      expect(failure.kind).toBe('connection');
      if (failure.kind === 'connection') {
        expect(failure.error).toBeInstanceOf(ConnectionError);
        expect(failure.error.connection).toBe('salesforce');
      }
    }
  });

  it('a lock, a limit, a 5xx or an error without a code is transient', () => {
    for (const code of [
      'UNABLE_TO_LOCK_ROW',
      'REQUEST_LIMIT_EXCEEDED',
      'SERVER_UNAVAILABLE',
      'ERROR_HTTP_503',
      'EPIPE',
    ])
      expect(classifyWriteBackFailure(sfError(code)).kind).toBe('transient');
    expect(classifyWriteBackFailure(new Error('socket hang up')).kind).toBe('transient');
  });
});

describe('the crm.rejected answering a refused write-back', () => {
  it('names the command, the record, and Salesforce code and message', () => {
    const envelope = createEnvelope(
      'crm.write-back',
      { objectType: 'Order', recordId: '8015g00000AbCdEAAZ', fields: { status: 'synced' } },
      { idempotencyKey: 'saga:e1:write-back', correlationId: 'c1' },
    );
    expect(
      toCrmRejection(envelope, {
        kind: 'refused',
        errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        message: 'No.',
        field: 'Revline_Billing_Id__c',
      }),
    ).toEqual({
      commandIdempotencyKey: 'saga:e1:write-back',
      command: 'crm.write-back',
      objectType: 'Order',
      recordId: '8015g00000AbCdEAAZ',
      errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: 'No.',
      field: 'Revline_Billing_Id__c',
    });
  });
});
