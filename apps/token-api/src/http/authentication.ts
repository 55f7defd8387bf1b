import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { RoomgateError } from '@roomgate/shared/errors';
import type { ApiKeySource } from './auth/api-key-source.ts';
import { findApiKey } from './auth/api-keys.ts';
import type { Caller } from './auth/caller.ts';
import { normalisePrincipalArn, type IamCallerMap, type IamIdentity } from './auth/iam-callers.ts';
import { presentedApiKey } from './auth/presented-api-key.ts';

/** The name routes list in their `dependencies`: Fastify refuses to start a route plugin registered without it. */
export const AUTHENTICATION = 'roomgate-authentication';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `authenticate` on the routes it guards; null elsewhere. */
    caller: Caller | null;
  }
  interface FastifyInstance {
    /**
     * An `onRequest` hook that sets `request.caller` or throws 401 ERR_UNAUTHENTICATED / 400
     * ERR_CREDENTIALS_AMBIGUOUS. A route plugin adds it to its own context, so only its routes are
     * guarded (`/healthz`, the JWKS and unknown paths stay open).
     */
    authenticate(request: FastifyRequest): Promise<void>;
  }
}

export interface AuthenticationOptions {
  iamCallers: IamCallerMap;
  /** Reads the SigV4 caller API Gateway verified; absent outside Lambda (no IAM locally). */
  iamIdentity?: ((request: FastifyRequest) => IamIdentity | undefined) | undefined;
  /** Absent: API keys are not accepted (an IAM stage), whatever a request carries. */
  apiKeys?: ApiKeySource | undefined;
}

/**
 * Caller authentication, registered once per app (`buildApp`, `buildRoomsApp`) with the stage's
 * credentials; routes declare it in `dependencies` and add `app.authenticate` as an `onRequest`
 * hook, so it runs before the body is read. The stage's caller-auth mode decides what counts
 * (`callerAuthOptions` in lambda-handler.ts): an IAM stage passes `iamIdentity` and no `apiKeys`,
 * an API-key stage the reverse. An IAM caller (from the Lambda event) wins; otherwise, where API
 * keys are accepted, exactly one key from `x-api-key` or `Authorization: Bearer` (400
 * ERR_CREDENTIALS_AMBIGUOUS for more than one). No usable credentials → 401 ERR_UNAUTHENTICATED.
 * Room scope is checked by the route once the request names the room.
 */
export const authentication = fp<AuthenticationOptions>(
  async (app, options) => {
    app.decorateRequest('caller', null);
    app.decorate('authenticate', async (request: FastifyRequest) => {
      request.caller = await authenticate(request, options);
    });
  },
  // No `fastify: '5.x'` range: this plugin ships with the Fastify it runs on, and the check loads
  // semver and parses the range during every cold start (docs/benchmarks.md, cold start).
  { name: AUTHENTICATION },
);

async function authenticate(request: FastifyRequest, options: AuthenticationOptions): Promise<Caller> {
  const identity = options.iamIdentity?.(request);
  if (identity !== undefined) {
    // API Gateway already verified the signature; an unmapped principal is authenticated but
    // may issue nothing, so it ends in 403 at the room check rather than 401.
    const principal = normalisePrincipalArn(identity.userArn) ?? identity.userArn;
    return { kind: 'iam', id: principal, rooms: options.iamCallers.get(principal) ?? [] };
  }
  if (!options.apiKeys) {
    // An IAM stage: a request without a verified SigV4 caller reached the app (the catch-all
    // `$default` route has no authorizer), and no API key is ever accepted here.
    throw new RoomgateError('ERR_UNAUTHENTICATED', 'this stage accepts only SigV4-signed requests (IAM); API keys are not accepted');
  }

  // Ambiguity is refused before any key is looked up, valid or not.
  const presented = presentedApiKey(request.raw.rawHeaders);
  if (presented === undefined) {
    throw new RoomgateError('ERR_UNAUTHENTICATED', 'credentials required: sign the request with SigV4 or send an API key in x-api-key');
  }
  const entry = findApiKey(await options.apiKeys.getKeys(), presented);
  if (!entry) throw new RoomgateError('ERR_UNAUTHENTICATED', 'API key is not valid');
  return { kind: 'api-key', id: entry.id, rooms: entry.rooms };
}
