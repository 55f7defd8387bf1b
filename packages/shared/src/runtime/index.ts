export * from './aws-clients.ts';
export * from './cached-value.ts';
export * from './client-settings.ts';
export * from './clock.ts';
export * from './config.ts';
export * from './lazy-client.ts';
export * from './logger.ts';
export * from './secret-reader.ts';
