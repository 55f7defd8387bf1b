export * from './fan-out.ts';
export * from './management-api.ts';
export * from './message-publisher.ts';
