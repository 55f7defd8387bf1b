import { AsyncLocalStorage } from 'node:async_hooks';

const context = new AsyncLocalStorage<Readonly<Record<string, unknown>>>();

/**
 * Runs `fn` with `fields` on every log line written while it runs, however deep the call and
 * whichever logger writes it (one created at cold start included): the Lambda request id, the
 * HTTP request id, the WebSocket connection and request ids. Nested calls add to the outer
 * fields. AsyncLocalStorage rather than state on the logger, so two invocations that overlap in
 * one process (serverless-offline, `server.ts`) never swap ids.
 */
export function withLogContext<T>(fields: Record<string, unknown>, fn: () => T): T {
  return context.run({ ...context.getStore(), ...fields }, fn);
}

/** The fields of the innermost `withLogContext` around the caller, or none. */
export function logContextFields(): Readonly<Record<string, unknown>> | undefined {
  return context.getStore();
}
