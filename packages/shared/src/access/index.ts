export * from './access-keys.ts';
export * from './access-store.ts';
