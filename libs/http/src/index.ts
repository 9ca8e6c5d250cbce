export * from './bootstrap';
export * from './correlation.interceptor';
export * from './create-http-app';
export * from './problem';
export * from './problem-details.filter';
export * from './swagger';
export * from './shutdown';
export * from './validation';
