import awsLambdaFastify from '@fastify/aws-lambda';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { LambdaContextLike } from '@roomgate/shared/runtime';
import type { ApiKeySource } from './auth/api-key-source.ts';
import { iamIdentityFromEvent, type IamIdentity } from './auth/iam-callers.ts';
import type { CallerAuth } from './config.ts';
import { withUniqueRequestId } from './request-fields.ts';

export type LambdaHandler = (event: unknown, context?: LambdaContextLike) => Promise<{ statusCode: number; headers: Record<string, string>; body: string }>;

/**
 * Wraps the app for API Gateway and makes it ready, so plugin loading happens during Lambda
 * init rather than on the first request. The adapter must decorate the request before `ready`.
 */
export async function createLambdaHandler(app: FastifyInstance): Promise<LambdaHandler> {
  const proxy = awsLambdaFastify(app, { decorateRequest: true }) as unknown as LambdaHandler;
  await app.ready();
  // Locally every event has the same placeholder request id; each request gets its own.
  return (event, context) => proxy(withUniqueRequestId(event, context), context);
}

/** The SigV4 caller of a request that came through the Lambda adapter (undefined otherwise). */
export function iamIdentityOfLambdaRequest(request: FastifyRequest): IamIdentity | undefined {
  const lambda = (request as FastifyRequest & { awsLambda?: { event?: unknown } }).awsLambda;
  return iamIdentityFromEvent(lambda?.event);
}

/**
 * The credentials a Lambda entry accepts, by the stage's caller-auth mode: `iam` reads only the
 * SigV4 caller API Gateway verified and never an API key (a request that reached the function
 * without one, e.g. on the unauthorised `$default` route, is 401); `api-key` reads only API keys
 * and ignores any IAM context.
 */
export function callerAuthOptions(
  mode: CallerAuth,
  apiKeys: ApiKeySource,
): { iamIdentity: ((request: FastifyRequest) => IamIdentity | undefined) | undefined; apiKeys: ApiKeySource | undefined } {
  return mode === 'iam' ? { iamIdentity: iamIdentityOfLambdaRequest, apiKeys: undefined } : { iamIdentity: undefined, apiKeys };
}
