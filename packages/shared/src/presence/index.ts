export * from './lifecycle-observer.ts';
export * from './room-presence.ts';
export * from './observed-store.ts';
