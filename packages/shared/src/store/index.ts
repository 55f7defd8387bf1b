export * from './connection-item.ts';
export * from './connection-store.ts';
export * from './store-call.ts';
export * from './store-cursor.ts';
export * from './connection-observer.ts';
export * from './liveness.ts';
