import { PUBLISH_ID_PATTERN_SOURCE, ROOM_ID_PATTERN_SOURCE, USER_ID_PATTERN_SOURCE } from '@roomgate/protocol/ids';
import { CAPABILITIES } from '@roomgate/protocol/capabilities';
import { LISTING_CURSOR_PATTERN_SOURCE } from './listing-cursors.ts';

export const LIST_DEFAULT_LIMIT = 100;
export const LIST_MAX_LIMIT = 500;

export interface RoomParams {
  roomId: string;
}

export interface UserParams extends RoomParams {
  userId: string;
}

export interface PublishBody {
  data: unknown;
  excludeUserId?: string;
}

export interface ListQuery {
  limit?: string;
  cursor?: string;
}

const roomId = { type: 'string', minLength: 1, maxLength: 128, pattern: ROOM_ID_PATTERN_SOURCE } as const;
const userId = { type: 'string', minLength: 1, maxLength: 128, pattern: USER_ID_PATTERN_SOURCE } as const;

export const roomParamsSchema = {
  type: 'object',
  required: ['roomId'],
  properties: { roomId },
} as const;

export const userParamsSchema = {
  type: 'object',
  required: ['roomId', 'userId'],
  properties: { roomId, userId },
} as const;

export const publishBodySchema = {
  type: 'object',
  // `data` may be any JSON value, null included, as in a client's publish frame.
  required: ['data'],
  additionalProperties: false,
  properties: { data: {}, excludeUserId: userId },
} as const;

/** Printable ASCII without spaces, like Stripe's keys; a UUID is the usual choice. */
export const IDEMPOTENCY_KEY_PATTERN_SOURCE = '^[\\x21-\\x7e]{1,255}$';

export const publishHeadersSchema = {
  type: 'object',
  properties: { 'idempotency-key': { type: 'string', pattern: IDEMPOTENCY_KEY_PATTERN_SOURCE } },
} as const;

// Query values arrive as strings and the app does not coerce types; the range is checked by the route.
export const listQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'string', pattern: '^[0-9]{1,4}$' },
    cursor: { type: 'string', pattern: LISTING_CURSOR_PATTERN_SOURCE },
  },
} as const;

export const MESSAGES_DEFAULT_LIMIT = 100;
export const MESSAGES_MAX_LIMIT = 500;

export interface MessagesQuery {
  since?: string;
  limit?: string;
  epoch?: string;
}

export const messagesQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    since: { type: 'string', pattern: '^[0-9]{1,15}$' },
    limit: { type: 'string', pattern: '^[0-9]{1,4}$' },
    epoch: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,32}$' },
  },
} as const;

const count = { type: 'integer', minimum: 0 } as const;
const seq = { type: 'integer', minimum: 1 } as const;

/** docs/rooms-api.md, Read a room's messages. */
export const messagesResponseSchema = {
  type: 'object',
  required: ['roomId', 'epoch', 'lastSeq', 'messages', 'recovered'],
  additionalProperties: false,
  properties: {
    roomId: { type: 'string' },
    epoch: { type: ['string', 'null'] },
    lastSeq: count,
    messages: {
      type: 'array',
      items: {
        type: 'object',
        required: ['seq', 'epoch', 'data', 'sentAt'],
        additionalProperties: false,
        properties: { seq, epoch: { type: 'string' }, data: {}, from: { type: 'string' }, sentAt: count },
      },
    },
    nextSince: seq,
    recovered: { type: 'boolean' },
    missed: { type: 'object', required: ['from', 'to'], additionalProperties: false, properties: { from: seq, to: seq } },
  },
} as const;

const publishId = { type: 'string', pattern: PUBLISH_ID_PATTERN_SOURCE } as const;

export const publishResponseSchema = {
  type: 'object',
  required: ['delivered', 'failed', 'stale'],
  additionalProperties: false,
  // seq/epoch: only when the stage runs with history (docs/rooms-api.md). publishId: absent only on
  // an Idempotency-Key replay of a publish that was stored but not delivered.
  properties: { publishId, seq, epoch: { type: 'string' }, delivered: count, failed: count, stale: count },
} as const;

/** 202: a large room's publish, queued to `shards` fan-out shards; progress at GET …/publishes/{publishId}. */
export const publishQueuedResponseSchema = {
  type: 'object',
  required: ['publishId', 'state', 'shards'],
  additionalProperties: false,
  properties: { publishId, state: { type: 'string', enum: ['queued'] }, shards: count, seq, epoch: { type: 'string' } },
} as const;

export interface PublishParams extends RoomParams {
  publishId: string;
}

export const publishParamsSchema = {
  type: 'object',
  required: ['roomId', 'publishId'],
  additionalProperties: false,
  properties: { roomId, publishId },
} as const;

/** docs/rooms-api.md, Follow a large room's publish. */
export const publishStatusResponseSchema = {
  type: 'object',
  required: ['publishId', 'state', 'delivered', 'failed', 'stale', 'throttled', 'shards', 'shardsDone', 'shardsFailed'],
  additionalProperties: false,
  properties: {
    publishId,
    state: { type: 'string', enum: ['queued', 'running', 'done', 'incomplete'] },
    delivered: count,
    failed: count,
    stale: count,
    throttled: count,
    shards: count,
    shardsDone: count,
    shardsFailed: count,
  },
} as const;

/** Serialisation drops anything not listed, so a connection id can never leak through here. */
export const listingResponseSchema = {
  type: 'object',
  required: ['connections', 'nextCursor'],
  additionalProperties: false,
  properties: {
    connections: {
      type: 'array',
      items: {
        type: 'object',
        required: ['capabilities'],
        additionalProperties: false,
        properties: {
          userId: { type: 'string' },
          connectedAt: { type: 'string', format: 'date-time' },
          capabilities: { type: 'array', items: { type: 'string', enum: [...CAPABILITIES] } },
        },
      },
    },
    nextCursor: { type: ['string', 'null'] },
  },
} as const;

export const disconnectResponseSchema = {
  type: 'object',
  required: ['disconnected', 'failed'],
  additionalProperties: false,
  properties: { disconnected: count, failed: count },
} as const;

// Bans and revocations (docs/rooms-api.md)

/** A ban lasts one second to a year. */
export const BAN_MAX_SECONDS = 365 * 24 * 3600;
export const BANS_DEFAULT_LIMIT = 100;
export const BANS_MAX_LIMIT = 500;

export interface BanBody {
  durationSeconds: number;
  reason?: string;
}

export const banBodySchema = {
  type: 'object',
  required: ['durationSeconds'],
  additionalProperties: false,
  properties: {
    durationSeconds: { type: 'integer', minimum: 1, maximum: BAN_MAX_SECONDS },
    reason: { type: 'string', minLength: 1, maxLength: 500 },
  },
} as const;

export const banResponseSchema = {
  type: 'object',
  required: ['bannedUntil', 'disconnected'],
  additionalProperties: false,
  properties: {
    /** ISO 8601, UTC, second precision */
    bannedUntil: { type: 'string', format: 'date-time' },
    disconnected: { type: 'integer' },
    failed: { type: 'integer' },
  },
} as const;

export const unbanResponseSchema = {
  type: 'object',
  required: ['lifted'],
  additionalProperties: false,
  properties: { lifted: { type: 'boolean' } },
} as const;

export const bansResponseSchema = {
  type: 'object',
  required: ['bans'],
  additionalProperties: false,
  properties: {
    bans: {
      type: 'array',
      items: {
        type: 'object',
        required: ['userId', 'bannedUntil', 'createdAt'],
        additionalProperties: false,
        properties: {
          userId: { type: 'string' },
          bannedUntil: { type: 'string', format: 'date-time' },
          createdAt: { type: 'string', format: 'date-time' },
          reason: { type: 'string' },
        },
      },
    },
    cursor: { type: 'string' },
  },
} as const;

export interface BansQuery {
  limit?: string;
  cursor?: string;
}

export const bansQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { limit: { type: 'string', pattern: '^[0-9]{1,4}$' }, cursor: { type: 'string', minLength: 1, maxLength: 2048 } },
} as const;

export type RevocationBody = { jti: string; roomId?: string } | { userId: string; issuedBefore: number; roomId?: string };

/** jti: printable ASCII without spaces, as the verifier accepts (TOKEN_ID_PATTERN). */
const jti = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[\\x21-\\x7e]+$' } as const;

export const revocationBodySchema = {
  type: 'object',
  additionalProperties: false,
  oneOf: [
    { required: ['jti'], not: { anyOf: [{ required: ['userId'] }, { required: ['issuedBefore'] }] } },
    { required: ['userId', 'issuedBefore'], not: { required: ['jti'] } },
  ],
  properties: { jti, userId, issuedBefore: { type: 'integer', minimum: 0 }, roomId },
} as const;

export const revocationResponseSchema = {
  type: 'object',
  required: ['expiresAt', 'disconnected'],
  additionalProperties: false,
  properties: {
    /** When the revocation lapses: no token it covers is valid after it. ISO 8601. */
    expiresAt: { type: 'string', format: 'date-time' },
    disconnected: { type: 'integer' },
    failed: { type: 'integer' },
  },
} as const;
