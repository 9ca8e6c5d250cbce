export * from './erp-errors';
export * from './erp-port';
export * from './erp-types';
export * from './external-id';
