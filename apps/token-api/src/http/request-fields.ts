import type { FastifyInstance, FastifyRequest } from 'fastify';
import { withLogContext } from '@roomgate/shared/runtime';

/**
 * The ids a log line of one HTTP invocation carries (`withInvocation` in both lambda.ts): API
 * Gateway's request id (`requestContext.requestId`, also the `x-request-id` the Lambda adapter
 * hands Fastify unless the client sent its own).
 */
export function httpRequestFields(event: unknown): Record<string, unknown> {
  const requestId = (event as { requestContext?: { requestId?: unknown } } | undefined)?.requestContext?.requestId;
  return typeof requestId === 'string' ? { requestId } : {};
}

/**
 * Puts the request's ids on every line logged while Fastify handles it, domain lines included.
 * Needed on top of `withInvocation`: `inject` (the Lambda adapter's path into Fastify) continues
 * the request from Fastify's own async context, so an outer `withLogContext` does not reach the
 * handlers. The same pattern as @fastify/request-context: the rest of the request runs inside
 * the hook's `done`. Without the Lambda adapter (tests, server.ts) the id is Fastify's `request.id`.
 */
export function useRequestLogContext(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const lambda = (request as FastifyRequest & { awsLambda?: { event?: unknown; context?: { awsRequestId?: unknown } } }).awsLambda;
    const awsRequestId = lambda?.context?.awsRequestId;
    const fields = {
      requestId: request.id,
      ...httpRequestFields(lambda?.event),
      ...(typeof awsRequestId === 'string' ? { function_request_id: awsRequestId } : {}),
    };
    withLogContext(fields, done);
  });
}
