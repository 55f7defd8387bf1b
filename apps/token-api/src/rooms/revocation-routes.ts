import fp from 'fastify-plugin';
import { RoomForbiddenError, RoomgateError } from '@roomgate/shared/errors';
import type { Clock } from '@roomgate/shared/runtime';
import { assertRoomAllowed } from '../http/auth/caller.ts';
import { AUTHENTICATION } from '../http/authentication.ts';
import { commonErrorResponses, errorSchema } from '../http/schemas.ts';
import type { AccessControl } from './access-control.ts';
import { callerId, isoSeconds } from './routes.ts';
import { revocationBodySchema, revocationResponseSchema, type RevocationBody } from './schemas.ts';

export interface RevocationRouteOptions {
  accessControl: AccessControl;
  clock: Clock;
  /** `issuedBefore` may lie this far in the future at most (seconds): further would be a ban. */
  clockToleranceSeconds: number;
}

/**
 * `POST /v1/revocations` → 201. With `roomId`, the caller's patterns must cover that room; without
 * one the revocation reaches every room, so the caller must be scoped to every room (`*`).
 */
export const revocationRoutes = fp<RevocationRouteOptions>(
  async (app, options) => {
    app.addHook('onRequest', app.authenticate);

    app.post<{ Body: RevocationBody }>(
      '/v1/revocations',
      {
        schema: {
          body: revocationBodySchema,
          response: {
            201: revocationResponseSchema,
            400: errorSchema,
            401: errorSchema,
            403: errorSchema,
            415: errorSchema,
            503: errorSchema,
            ...commonErrorResponses,
          },
        },
      },
      async (request, reply) => {
        const body = request.body;
        if (body.roomId !== undefined) assertRoomAllowed(request.caller, body.roomId, 'revoke tokens of');
        else if (!request.caller?.rooms.some((pattern) => pattern.kind === 'any'))
          throw new RoomForbiddenError('revoking without roomId reaches every room: this caller is not scoped to "*"');
        if ('issuedBefore' in body && body.issuedBefore > options.clock() + options.clockToleranceSeconds) {
          throw new RoomgateError('ERR_VALIDATION', 'body.issuedBefore must not lie in the future (to keep a user out, ban them)');
        }
        const { expiresAt, ...outcome } = await options.accessControl.revoke(body, callerId(request.caller));
        void reply.code(201).header('cache-control', 'no-store');
        return { expiresAt: isoSeconds(expiresAt), ...outcome };
      },
    );
  },
  { name: 'roomgate-revocation-routes', dependencies: [AUTHENTICATION], encapsulate: true },
);
