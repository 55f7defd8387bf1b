export * from './api-keys.ts';
export * from './room-pattern.ts';
