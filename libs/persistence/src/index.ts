export * from './data-source-options';
export * from './persistence.module';
export * from './run-migrations';
export * from './ensure-database';
export * from './lean-reads';
export * from './transaction';
