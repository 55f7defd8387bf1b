export * from './history-store.ts';
export * from './message-position.ts';
export * from './position-cache.ts';
