import { CAPABILITIES, type Capability } from '@roomgate/protocol/capabilities';
import { ROOM_ID_PATTERN_SOURCE, USER_ID_PATTERN_SOURCE } from '@roomgate/protocol/ids';

export { USER_ID_PATTERN_SOURCE };

export interface TokenRequest {
  roomId: string;
  userId?: string;
  ttlSeconds: number;
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

export function tokenRequestSchema(limits: { defaultTtlSeconds: number; maxTtlSeconds: number; singleUseDefault?: boolean | undefined }) {
  return {
    type: 'object',
    required: ['roomId'],
    additionalProperties: false,
    properties: {
      roomId: { type: 'string', minLength: 1, maxLength: 128, pattern: ROOM_ID_PATTERN_SOURCE },
      userId: { type: 'string', minLength: 1, maxLength: 128, pattern: USER_ID_PATTERN_SOURCE },
      ttlSeconds: { type: 'integer', minimum: 1, maximum: limits.maxTtlSeconds, default: limits.defaultTtlSeconds },
      capabilities: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: [...CAPABILITIES] } },
      singleUse: { type: 'boolean', default: limits.singleUseDefault ?? false },
    },
  } as const;
}

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
        properties: Object.fromEntries(
          ['kty', 'kid', 'alg', 'use', 'n', 'e', 'crv', 'x', 'y'].map((name) => [name, { type: 'string' }]),
        ),
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
