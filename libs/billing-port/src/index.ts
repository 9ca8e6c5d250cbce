export * from './billing-port';
export * from './dto';
