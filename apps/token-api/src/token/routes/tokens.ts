import fp from 'fastify-plugin';
import { RoomgateError } from '@roomgate/shared/errors';
import type { TokenSigner } from '@roomgate/shared/tokens';
import type { Metrics } from '@roomgate/shared/runtime';
import { assertRoomAllowed } from '../../http/auth/caller.ts';
import { AUTHENTICATION } from '../../http/authentication.ts';
import type { SocketUrlPresigner } from '../presign/socket-url-presigner.ts';
import { commonErrorResponses, errorSchema } from '../../http/schemas.ts';
import { tokenRequestSchema, tokenResponseSchema, type TokenRequest, type TokenResponse } from '../schemas.ts';

export interface TokenRouteOptions {
  signer: TokenSigner;
  defaultTtlSeconds: number;
  maxTtlSeconds: number;
  /** `singleUse` when the request leaves it out (the stage's singleUseTokens). */
  singleUseDefault?: boolean | undefined;
  socketUrl: string;
  tokenInQuery: boolean;
  /** IAM mode: `socketUrl` is presigned per token, with the token in its signed query. */
  socketUrlPresigner?: SocketUrlPresigner | undefined;
  /** Counts `TokensIssued` by caller kind. */
  metrics?: Metrics | undefined;
}

/**
 * `POST /v1/tokens`: an authenticated caller asks for a token for one room in its scope.
 * `expiresAt` is ISO 8601 (UTC); `expiresIn` is seconds, so clients with a skewed clock can
 * still schedule a refresh. Needs the app's authentication plugin; encapsulated, so its
 * `onRequest` authentication guards this route only.
 */
export const tokenRoutes = fp<TokenRouteOptions>(
  async (app, options) => {
    app.addHook('onRequest', app.authenticate);

    app.post<{ Body: TokenRequest; Reply: TokenResponse }>(
      '/v1/tokens',
      {
        schema: {
          body: tokenRequestSchema,
          response: {
            201: tokenResponseSchema,
            400: errorSchema,
            401: errorSchema,
            403: errorSchema,
            413: errorSchema,
            415: errorSchema,
            503: errorSchema,
            ...commonErrorResponses,
          },
        },
      },
      async (request, reply) => {
        const caller = request.caller;
        const { roomId, userId, capabilities } = request.body;
        const singleUse = request.body.singleUse ?? options.singleUseDefault ?? false;
        // Before the room check, as schema validation was: a bad request is a 400 whatever the room.
        const ttlSeconds = request.body.ttlSeconds ?? options.defaultTtlSeconds;
        if (ttlSeconds > options.maxTtlSeconds) {
          // ajv's wording for `maximum`, as when the limit was in the schema.
          throw new RoomgateError('ERR_VALIDATION', `body.ttlSeconds must be <= ${options.maxTtlSeconds}`);
        }
        assertRoomAllowed(caller, roomId, 'issue tokens for');
        const issued = await options.signer.sign({
          roomId,
          ttlSeconds,
          ...(userId !== undefined && { userId }),
          ...(capabilities !== undefined && { capabilities }),
          ...(singleUse === true && { singleUse: true }),
        });
        // Presigned after the JWT exists (it is part of the signed URL) and before anything is sent.
        const socketUrl = options.socketUrlPresigner
          ? await options.socketUrlPresigner.presign({ token: issued.token, roomId })
          : socketUrlFor(options, issued.token);
        request.log.info({ caller: caller.id, callerKind: caller.kind, roomId, kid: issued.kid, jti: issued.jti, exp: issued.expiresAt }, 'token issued');
        options.metrics?.count('TokensIssued', { callerKind: caller.kind });
        void reply.code(201).header('cache-control', 'no-store');
        return {
          token: issued.token,
          expiresAt: new Date(issued.expiresAt * 1000).toISOString().replace('.000Z', 'Z'),
          expiresIn: issued.expiresAt - issued.issuedAt,
          roomId,
          socketUrl,
          jti: issued.jti,
          singleUse: singleUse === true,
        };
      },
    );
  },
  { name: 'roomgate-token-routes', dependencies: [AUTHENTICATION], encapsulate: true },
);

/** The base URL (token goes in `Sec-WebSocket-Protocol`), or with `?token=` when configured. */
function socketUrlFor(options: Pick<TokenRouteOptions, 'socketUrl' | 'tokenInQuery'>, token: string): string {
  if (!options.tokenInQuery) return options.socketUrl;
  const url = new URL(options.socketUrl);
  url.searchParams.set('token', token);
  return url.toString();
}
