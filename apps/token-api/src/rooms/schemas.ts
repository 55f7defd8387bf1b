import { ROOM_ID_PATTERN_SOURCE, USER_ID_PATTERN_SOURCE } from '@roomgate/protocol/ids';
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

export const publishResponseSchema = {
  type: 'object',
  required: ['delivered', 'failed', 'stale'],
  additionalProperties: false,
  // seq/epoch: only when the stage runs with history (docs/rooms-api.md).
  properties: { seq, epoch: { type: 'string' }, delivered: count, failed: count, stale: count },
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
