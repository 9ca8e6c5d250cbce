export * from './api-key.factory';
export * from './test-app';
export * from './test-database';
export * from './wait-for-queues';
export * from './harness/harness.module';
