import { withLogContext } from './log-context.ts';
import type { JsonLogger, LambdaContextLike } from './logger.ts';
import type { Metrics } from './metrics.ts';

export interface Observability {
  logger: JsonLogger;
  metrics: Metrics;
}

/**
 * Wraps a Lambda handler so that every line it logs carries the invocation's ids and its metrics
 * are written once per invocation: the Lambda context (`function_request_id`, `cold_start`…) on
 * the logger, `fieldsOf(event)` (the HTTP request id, the WebSocket connection and request ids)
 * on every line through `withLogContext`, and `metrics.flush()` after the handler settles,
 * thrown or not. `context` is optional so tests may call the handler with an event alone.
 */
export function withInvocation<E, R>(
  parts: Observability,
  fieldsOf: (event: E) => Record<string, unknown>,
  handler: (event: E, context?: LambdaContextLike) => Promise<R>,
): (event: E, context?: LambdaContextLike) => Promise<R> {
  return async (event, context) => {
    if (context !== undefined) parts.logger.addLambdaContext(context);
    // Per line, so overlapping invocations in one process (serverless-offline) keep their own id.
    const fields = { ...(context !== undefined ? { function_request_id: context.awsRequestId } : {}), ...fieldsOf(event) };
    try {
      return await withLogContext(fields, () => handler(event, context));
    } finally {
      parts.metrics.flush();
    }
  };
}
