import awsLambdaFastify from '@fastify/aws-lambda';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { iamIdentityFromEvent, type IamIdentity } from './auth/iam-callers.ts';

export type LambdaHandler = (event: unknown, context: unknown) => Promise<{ statusCode: number; headers: Record<string, string>; body: string }>;

/**
 * Wraps the app for API Gateway and makes it ready, so plugin loading happens during Lambda
 * init rather than on the first request. The adapter must decorate the request before `ready`.
 */
export async function createLambdaHandler(app: FastifyInstance): Promise<LambdaHandler> {
  const proxy = awsLambdaFastify(app, { decorateRequest: true });
  await app.ready();
  return proxy as unknown as LambdaHandler;
}

/** The SigV4 caller of a request that came through the Lambda adapter (undefined otherwise). */
export function iamIdentityOfLambdaRequest(request: FastifyRequest): IamIdentity | undefined {
  const lambda = (request as FastifyRequest & { awsLambda?: { event?: unknown } }).awsLambda;
  return iamIdentityFromEvent(lambda?.event);
}
