export * from './contract-filters.dto';
export * from './contracts.dto';
export * from './exceptions.dto';
export * from './lineage.dto';
export * from './periods';
export * from './sla.dto';
export * from './waterfall.dto';
export * from './revenue-runs.dto';
