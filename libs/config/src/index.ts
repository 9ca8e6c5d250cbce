export * from './config.module';
export * from './load-config';
export * from './namespaces';
export * from './secret.decorator';
export * from './production-guard';
