export * from './app-database';
export * from './health.controller';
export * from './metrics.controller';
export * from './node-heap';
export * from './platform.module';
export * from './queue-dashboard';
export * from './vendor-checks';
