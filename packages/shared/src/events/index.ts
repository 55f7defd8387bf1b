export * from './eventbridge-events.ts';
export * from './lifecycle-event.ts';
