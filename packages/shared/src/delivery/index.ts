export * from './fan-out.ts';
export * from './management-api.ts';
export * from './message-publisher.ts';
export * from './fan-out-shard.ts';
export * from './key-range.ts';
export * from './publish-status.ts';
export * from './shard-dispatcher.ts';
export * from './throttle-retry.ts';
