import { CAPABILITIES, type Capability } from '@roomgate/protocol/capabilities';
import { ROOM_ID_PATTERN_SOURCE, USER_ID_PATTERN_SOURCE } from '@roomgate/protocol/ids';

export { USER_ID_PATTERN_SOURCE };

export interface TokenRequest {
  roomId: string;
  userId?: string;
  /** Absent: the stage's default; at most the stage's maximum (both checked by the route, not the schema). */
  ttlSeconds?: number;
  capabilities?: Capability[];
  /** The token opens one connection at most (`once` claim); default: the stage's singleUseTokens. */
  singleUse?: boolean;
}

export interface TokenResponse {
  token: string;
  /** ISO 8601, UTC, second precision */
  expiresAt: string;
  /** seconds from issue to expiry */
  expiresIn: number;
  roomId: string;
  socketUrl: string;
  /** The token's `jti`: what `POST /v1/revocations {jti}` names. */
  jti: string;
  singleUse: boolean;
}

/**
 * The body of `POST /v1/tokens`. Independent of the stage's settings, so it is compiled once at
 * build time (scripts/compile-schemas.ts): the TTL's default and maximum (TOKEN_DEFAULT_TTL,
 * TOKEN_MAX_TTL) are applied by the route.
 */
export const tokenRequestSchema = {
  type: 'object',
  required: ['roomId'],
  additionalProperties: false,
  properties: {
    roomId: { type: 'string', minLength: 1, maxLength: 128, pattern: ROOM_ID_PATTERN_SOURCE },
    userId: { type: 'string', minLength: 1, maxLength: 128, pattern: USER_ID_PATTERN_SOURCE },
    ttlSeconds: { type: 'integer', minimum: 1 },
    capabilities: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: [...CAPABILITIES] } },
    // Its default is the stage's singleUseTokens, applied by the route like the TTL's.
    singleUse: { type: 'boolean' },
  },
} as const;

export const tokenResponseSchema = {
  type: 'object',
  required: ['token', 'expiresAt', 'expiresIn', 'roomId', 'socketUrl', 'jti', 'singleUse'],
  additionalProperties: false,
  properties: {
    token: { type: 'string' },
    jti: { type: 'string' },
    singleUse: { type: 'boolean' },
    expiresAt: { type: 'string', format: 'date-time' },
    expiresIn: { type: 'integer' },
    roomId: { type: 'string' },
    socketUrl: { type: 'string' },
  },
} as const;

/** Only public members are serialised, so private material can never leave through the JWKS. */
export const jwksSchema = {
  type: 'object',
  required: ['keys'],
  additionalProperties: false,
  properties: {
    keys: {
      type: 'array',
      items: {
        type: 'object',
        required: ['kty', 'kid'],
        additionalProperties: false,
        properties: Object.fromEntries(['kty', 'kid', 'alg', 'use', 'n', 'e', 'crv', 'x', 'y'].map((name) => [name, { type: 'string' }])),
      },
    },
  },
} as const;

export const healthSchema = {
  type: 'object',
  required: ['status'],
  additionalProperties: false,
  properties: { status: { type: 'string', enum: ['ok'] } },
} as const;
