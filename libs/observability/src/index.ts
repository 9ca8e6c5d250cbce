export * from './correlation';
export * from './eviction-policy';
export * from './ids';
export * from './logger';
export * from './metrics.service';
export * from './redis-persistence';
export * from './tracing';
