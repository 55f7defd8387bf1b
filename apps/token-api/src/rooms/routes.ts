import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { RoomgateError } from '@roomgate/shared/errors';
import type { PublishStatusStore } from '@roomgate/shared/delivery';
import { assertRoomAllowed, type Caller } from '../http/auth/caller.ts';
import { AUTHENTICATION } from '../http/authentication.ts';
import type { UserDisconnector } from './disconnect-user.ts';
import type { AccessControl } from './access-control.ts';
import type { ConnectionLister } from './list-connections.ts';
import type { RoomPublisher } from './publish.ts';
import type { MessageReader } from './read-messages.ts';
import {
  LIST_DEFAULT_LIMIT,
  LIST_MAX_LIMIT,
  MESSAGES_DEFAULT_LIMIT,
  MESSAGES_MAX_LIMIT,
  messagesQuerySchema,
  messagesResponseSchema,
  type MessagesQuery,
  disconnectResponseSchema,
  listQuerySchema,
  listingResponseSchema,
  publishBodySchema,
  publishHeadersSchema,
  publishResponseSchema,
  publishQueuedResponseSchema,
  publishParamsSchema,
  publishStatusResponseSchema,
  type PublishParams,
  roomParamsSchema,
  userParamsSchema,
  type ListQuery,
  type PublishBody,
  type RoomParams,
  type UserParams,
  BANS_DEFAULT_LIMIT,
  BANS_MAX_LIMIT,
  banBodySchema,
  banResponseSchema,
  bansQuerySchema,
  bansResponseSchema,
  unbanResponseSchema,
  type BanBody,
  type BansQuery,
} from './schemas.ts';
import { commonErrorResponses, errorSchema } from '../http/schemas.ts';

export interface RoomsRouteOptions {
  publisher: RoomPublisher;
  history: MessageReader;
  lister: ConnectionLister;
  disconnector: UserDisconnector;
  /** Bans (and, in revocationRoutes, revocations). */
  accessControl: AccessControl;
  /** Largest `message` frame; the body may be a little larger (JSON envelope, whitespace). */
  maxMessageBytes: number;
  /** Sharded publishes' status; absent when the stage does not shard (the route then answers 404). */
  publishStatus?: Pick<PublishStatusStore, 'get'> | undefined;
}

/** Room of the request, once validation has run. */
type ScopedRequest = FastifyRequest<{ Params: RoomParams }>;

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 503: errorSchema, ...commonErrorResponses } as const;

/**
 * The Rooms API: act on a room from the server side, with the same callers and room scopes as
 * `POST /v1/tokens`. Every route is scope-checked in `preHandler` (after authentication and
 * validation, before the handler), so an out-of-scope request does nothing at all. Needs the
 * app's authentication plugin, which runs first (`onRequest`, before the body is read).
 */
export const roomsRoutes = fp<RoomsRouteOptions>(
  async (app, options) => {
    app.addHook('onRequest', app.authenticate);

    app.addHook('preHandler', async (request: ScopedRequest) => {
      assertRoomAllowed(request.caller, request.params.roomId, 'act on');
    });

    app.post<{ Params: RoomParams; Body: PublishBody; Headers: { 'idempotency-key'?: string } }>(
      '/v1/rooms/:roomId/messages',
      {
        bodyLimit: options.maxMessageBytes + 4096,
        schema: {
          params: roomParamsSchema,
          headers: publishHeadersSchema,
          body: publishBodySchema,
          response: {
            200: publishResponseSchema,
            202: publishQueuedResponseSchema,
            409: errorSchema,
            413: errorSchema,
            415: errorSchema,
            422: errorSchema,
            ...errors,
          },
        },
      },
      async (request, reply) => {
        const { result, replayed } = await options.publisher.publish({
          roomId: request.params.roomId,
          data: request.body.data,
          excludeUserId: request.body.excludeUserId,
          callerId: callerId(request.caller),
          idempotencyKey: request.headers['idempotency-key'],
        });
        if (replayed) void reply.header('idempotent-replayed', 'true');
        void reply.header('cache-control', 'no-store');
        if (result.queued !== undefined && result.publishId !== undefined) {
          // A large room: shards deliver after this answer; the status route follows them.
          const { seq, epoch } = result;
          return reply
            .code(202)
            .send({ publishId: result.publishId, state: 'queued', shards: result.queued.shards, ...(seq === undefined ? {} : { seq, epoch }) });
        }
        return result;
      },
    );

    app.get<{ Params: PublishParams }>(
      '/v1/rooms/:roomId/publishes/:publishId',
      { schema: { params: publishParamsSchema, response: { 200: publishStatusResponseSchema, 404: errorSchema, ...errors } } },
      async (request, reply) => {
        const status = await options.publishStatus?.get(request.params.roomId, request.params.publishId);
        // A publish that fit one invocation has no status: its 200 carried the final counts.
        if (status === undefined) throw new RoomgateError('ERR_NOT_FOUND', 'no sharded publish with this id in this room (or it expired)');
        void reply.header('cache-control', 'no-store');
        return status;
      },
    );

    app.get<{ Params: RoomParams; Querystring: MessagesQuery }>(
      '/v1/rooms/:roomId/messages',
      { schema: { params: roomParamsSchema, querystring: messagesQuerySchema, response: { 200: messagesResponseSchema, 409: errorSchema, ...errors } } },
      async (request, reply) => {
        const limit = request.query.limit === undefined ? MESSAGES_DEFAULT_LIMIT : Number(request.query.limit);
        if (limit < 1 || limit > MESSAGES_MAX_LIMIT) {
          throw new RoomgateError('ERR_VALIDATION', `querystring.limit must be an integer from 1 to ${MESSAGES_MAX_LIMIT}`);
        }
        const since = request.query.since === undefined ? undefined : Number(request.query.since);
        void reply.header('cache-control', 'no-store');
        return options.history.read({ roomId: request.params.roomId, since, limit, epoch: request.query.epoch });
      },
    );

    app.get<{ Params: RoomParams; Querystring: ListQuery }>(
      '/v1/rooms/:roomId/connections',
      { schema: { params: roomParamsSchema, querystring: listQuerySchema, response: { 200: listingResponseSchema, ...errors } } },
      async (request, reply) => {
        const limit = request.query.limit === undefined ? LIST_DEFAULT_LIMIT : Number(request.query.limit);
        if (limit < 1 || limit > LIST_MAX_LIMIT) {
          throw new RoomgateError('ERR_VALIDATION', `querystring.limit must be an integer from 1 to ${LIST_MAX_LIMIT}`);
        }
        void reply.header('cache-control', 'no-store');
        return options.lister.list({ roomId: request.params.roomId, callerId: callerId(request.caller), limit, cursor: request.query.cursor });
      },
    );

    app.delete<{ Params: UserParams }>(
      '/v1/rooms/:roomId/users/:userId',
      { schema: { params: userParamsSchema, response: { 200: disconnectResponseSchema, ...errors } } },
      async (request, reply) => {
        void reply.header('cache-control', 'no-store');
        return options.disconnector.disconnect(request.params.roomId, request.params.userId, callerId(request.caller));
      },
    );

    app.put<{ Params: UserParams; Body: BanBody }>(
      '/v1/rooms/:roomId/bans/:userId',
      { schema: { params: userParamsSchema, body: banBodySchema, response: { 200: banResponseSchema, 415: errorSchema, ...errors } } },
      async (request, reply) => {
        const { roomId, userId } = request.params;
        const outcome = await options.accessControl.ban({ roomId, userId, ...request.body, callerId: callerId(request.caller) });
        void reply.header('cache-control', 'no-store');
        return { ...outcome, bannedUntil: isoSeconds(outcome.bannedUntil) };
      },
    );

    app.delete<{ Params: UserParams }>(
      '/v1/rooms/:roomId/bans/:userId',
      { schema: { params: userParamsSchema, response: { 200: unbanResponseSchema, ...errors } } },
      async (request, reply) => {
        void reply.header('cache-control', 'no-store');
        return { lifted: await options.accessControl.unban(request.params.roomId, request.params.userId, callerId(request.caller)) };
      },
    );

    app.get<{ Params: RoomParams; Querystring: BansQuery }>(
      '/v1/rooms/:roomId/bans',
      { schema: { params: roomParamsSchema, querystring: bansQuerySchema, response: { 200: bansResponseSchema, ...errors } } },
      async (request, reply) => {
        const limit = request.query.limit === undefined ? BANS_DEFAULT_LIMIT : Number(request.query.limit);
        if (limit < 1 || limit > BANS_MAX_LIMIT) throw new RoomgateError('ERR_VALIDATION', `querystring.limit must be an integer from 1 to ${BANS_MAX_LIMIT}`);
        const page = await options.accessControl.listBans(request.params.roomId, { limit, cursor: request.query.cursor });
        void reply.header('cache-control', 'no-store');
        return {
          bans: page.bans.map((ban) => ({
            userId: ban.userId,
            bannedUntil: isoSeconds(ban.bannedUntil),
            createdAt: isoSeconds(ban.createdAt),
            ...(ban.reason !== undefined ? { reason: ban.reason } : {}),
          })),
          ...(page.cursor !== undefined ? { cursor: page.cursor } : {}),
        };
      },
    );
  },
  { name: 'roomgate-rooms-routes', dependencies: [AUTHENTICATION], encapsulate: true },
);

/** Epoch seconds → ISO 8601, UTC, second precision (as `expiresAt` of POST /v1/tokens). */
export const isoSeconds = (seconds: number): string => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

/** Idempotency keys and cursors are per caller; the preHandler guarantees there is one. */
export const callerId = (caller: Caller | null): string => (caller ? `${caller.kind}:${caller.id}` : 'anonymous');
