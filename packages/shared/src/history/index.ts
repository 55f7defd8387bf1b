export * from './history-store.ts';
export * from './message-position.ts';
export * from './position-cache.ts';
export * from './message-exclusion.ts';
export * from './join-position.ts';
