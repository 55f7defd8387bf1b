import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { withLogContext } from '@roomgate/shared/runtime';

/**
 * The ids a log line of one HTTP invocation carries (`withInvocation` in both lambda.ts): API
 * Gateway's request id (`requestContext.requestId`, also the `x-request-id` the Lambda adapter
 * hands Fastify unless the client sent its own).
 */
export function httpRequestFields(event: unknown): Record<string, unknown> {
  const requestId = (event as { requestContext?: { requestId?: unknown } } | undefined)?.requestContext?.requestId;
  return typeof requestId === 'string' && !isPlaceholderRequestId(requestId) ? { requestId } : {};
}

/**
 * serverless-offline puts the same constant (`offlineContext_resourceId`) in every HTTP event's
 * `requestContext.requestId` (its LambdaProxyIntegrationEventV2), so locally it identifies nothing.
 */
export function isPlaceholderRequestId(requestId: string): boolean {
  return requestId.startsWith('offlineContext_');
}

/**
 * The event with a request id that tells requests apart: API Gateway's own, or, in place of
 * serverless-offline's placeholder, the invocation's Lambda request id (a fresh UUID when there
 * is no context). The Lambda adapter hands it to Fastify as `x-request-id` (`reqId`).
 */
export function withUniqueRequestId<E>(event: E, context: { awsRequestId?: string } | undefined): E {
  const requestContext = (event as { requestContext?: { requestId?: unknown } } | undefined)?.requestContext;
  if (typeof requestContext?.requestId !== 'string' || !isPlaceholderRequestId(requestContext.requestId)) return event;
  return { ...event, requestContext: { ...requestContext, requestId: context?.awsRequestId ?? randomUUID() } };
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
    // `reqId` as on Fastify's own lines (its child logger's binding), so a domain line of the request carries it too.
    const fields = {
      requestId: request.id,
      reqId: request.id,
      ...httpRequestFields(lambda?.event),
      ...(typeof awsRequestId === 'string' ? { function_request_id: awsRequestId } : {}),
    };
    withLogContext(fields, done);
  });
}
