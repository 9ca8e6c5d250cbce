export * from './crm-port';
export * from './dto';
