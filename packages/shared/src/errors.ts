import type { ErrorCode } from '@roomgate/protocol/error-codes';
import { RoomgateError } from '@roomgate/protocol/errors';
import type { MessagePosition } from './history/message-position.ts';

/**
 * Every error class of roomgate's server side, and the one rule for what a client may see of
 * them ({@link toPublicError}). The code union and the base class are part of the wire protocol
 * (`@roomgate/protocol`) and re-exported here. Each edge maps a {@link PublicError} onto its
 * transport: the token API to HTTP statuses, `$connect` to 4xx/5xx, `$default` to error frames.
 * `message` is safe to show to the caller; `cause` is for logs only.
 */
export type { ErrorCode };
export { RoomgateError };

/** The token's `exp` has passed: the client should fetch a fresh token and retry. */
export class TokenExpiredError extends RoomgateError {
  constructor(message = 'token has expired', options?: { cause?: unknown }) {
    super('ERR_TOKEN_EXPIRED', message, options);
  }
}

/** The token's `nbf` (or `iat` beyond tolerance) lies in the future. */
export class TokenNotYetValidError extends RoomgateError {
  constructor(message = 'token is not yet valid', options?: { cause?: unknown }) {
    super('ERR_TOKEN_NOT_YET_VALID', message, options);
  }
}

/** Malformed, badly signed, wrong algorithm, unknown key, wrong issuer/audience: do not retry. */
export class TokenInvalidError extends RoomgateError {
  constructor(message = 'token is invalid', options?: { cause?: unknown }) {
    super('ERR_TOKEN_INVALID', message, options);
  }
}

/** `$connect` found no token in `Sec-WebSocket-Protocol` nor in `?token=`. */
export class TokenMissingError extends RoomgateError {
  constructor(message = 'no token: offer the subprotocols "roomgate.v1" and "roomgate.token.<jwt>", or pass ?token=') {
    super('ERR_TOKEN_MISSING', message);
  }
}

/** The caller or token is valid but does not cover this room. */
export class RoomForbiddenError extends RoomgateError {
  constructor(message = 'token does not grant this room') {
    super('ERR_ROOM_FORBIDDEN', message);
  }
}

/** The token is valid but lacks the capability the action needs. */
export class CapabilityForbiddenError extends RoomgateError {
  constructor(message: string) {
    super('ERR_CAPABILITY_FORBIDDEN', message);
  }
}

/** Keys could not be loaded (Secrets Manager down, throttled, missing): a 503, try again. */
export class KeyUnavailableError extends RoomgateError {
  constructor(message = 'signing keys are unavailable', options?: { cause?: unknown }) {
    super('ERR_KEY_UNAVAILABLE', message, options);
  }
}

/** The key material exists but cannot be parsed or used. */
export class KeyMalformedError extends RoomgateError {
  constructor(message = 'key material is malformed', options?: { cause?: unknown }) {
    super('ERR_KEY_MALFORMED', message, options);
  }
}

/** A configuration variable is missing or bad; `problems` names every one of them. */
export class ConfigError extends RoomgateError {
  readonly problems: string[];

  constructor(problems: string[]) {
    super('ERR_CONFIG_INVALID', `invalid configuration: ${problems.join('; ')}`);
    this.problems = problems;
  }
}

/** DynamoDB refused or failed after retries. */
export class StoreUnavailableError extends RoomgateError {
  constructor(message = 'connection store is unavailable', options?: { cause?: unknown }) {
    super('ERR_STORE_UNAVAILABLE', message, options);
  }
}

// Connection store

/** `$connect` for a connection id that already has a row: refused, the row left as it is. */
export class ConnectionExistsError extends RoomgateError {
  constructor(message = 'connection is already registered', options?: { cause?: unknown }) {
    super('ERR_CONNECTION_EXISTS', message, options);
  }
}

/** The row to update does not exist (disconnected, or expired by TTL). */
export class ConnectionNotFoundError extends RoomgateError {
  constructor(message = 'connection is not registered', options?: { cause?: unknown }) {
    super('ERR_NOT_FOUND', message, options);
  }
}

/** A pagination cursor that this store did not hand out. */
export class InvalidCursorError extends RoomgateError {
  constructor(options?: { cause?: unknown }) {
    super('ERR_VALIDATION', 'cursor is invalid', options);
  }
}

// Delivery (management API, publisher)

/** The connection is gone (HTTP 410): its row is stale and should be deleted. */
export class ConnectionGoneError extends RoomgateError {
  readonly connectionId: string;

  constructor(connectionId: string, options?: { cause?: unknown }) {
    super('ERR_CONNECTION_GONE', 'connection is gone', options);
    this.connectionId = connectionId;
  }
}

/** Any other failure of the management API (throttling, 5xx, payload too large, network). */
export class DeliveryFailedError extends RoomgateError {
  readonly connectionId: string;
  readonly httpStatusCode: number | undefined;

  constructor(connectionId: string, options: { cause?: unknown; httpStatusCode?: number | undefined }) {
    super('ERR_DELIVERY_FAILED', 'delivery to the connection failed', { cause: options.cause });
    this.connectionId = connectionId;
    this.httpStatusCode = options.httpStatusCode;
  }
}

/**
 * The message is in history (it has its seq) but the fan-out could not list the room. It counts as
 * published: members get it through gap-fill or recovery. A retried publish would add a duplicate.
 */
export class UndeliveredPublishError extends StoreUnavailableError {
  readonly position: MessagePosition;

  constructor(position: MessagePosition, cause: unknown) {
    super('message stored in history, but the room could not be listed for delivery', { cause });
    this.position = position;
  }
}

/**
 * Some of a sharded publish's shard invocations could not be queued (Lambda Invoke failed after
 * the client's retries); the others were queued and deliver. A dependency outage: 503, retryable.
 * With history on the message is stored; the publisher then throws UndeliveredPublishError with
 * this as its cause. `publishId` and `undispatched` (the shard indexes not queued) say what a
 * retry with the same Idempotency-Key has to queue again (docs/rooms-api.md, Idempotency).
 */
export class ShardDispatchError extends StoreUnavailableError {
  readonly publishId: string | undefined;
  /** How many shards the publish was cut into (queued or not). */
  readonly shards: number;
  readonly undispatched: readonly number[];

  constructor(options: { cause?: unknown; publishId?: string; shards?: number; undispatched?: readonly number[] } = {}) {
    super('fan-out shards could not be dispatched', { cause: options.cause });
    this.publishId = options.publishId;
    this.shards = options.shards ?? 0;
    this.undispatched = options.undispatched ?? [];
  }
}

/** The fan-out shard function got an event that is not a FanOutShardJob (a bug or a stray invocation; never a client's doing). */
export class InvalidShardJobError extends RoomgateError {
  readonly problems: string[];

  constructor(problems: string[]) {
    super('ERR_SHARD_JOB_INVALID', `invalid fan-out shard job: ${problems.join(', ')}`);
    this.problems = problems;
  }
}

// History

/** The stage runs with HISTORY_TTL_SECONDS=0: no history, no recovery (`$default`: error frame; Rooms API: 409). */
export class HistoryDisabledError extends RoomgateError {
  constructor() {
    super('ERR_HISTORY_DISABLED', 'history is turned off on this stage');
  }
}

// Access (bans, revocations, single-use tokens, rate limits; docs/security.md)

/** The user is banned from the room until `bannedUntil` (epoch seconds): 403 at `$connect`, refused `refresh`. */
export class UserBannedError extends RoomgateError {
  readonly bannedUntil: number;

  constructor(bannedUntil: number) {
    super('ERR_USER_BANNED', 'this user is banned from the room');
    this.bannedUntil = bannedUntil;
  }
}

/** A revocation covers the token (its `jti`, or its user and `iat`): 401, fetch a new token. */
export class TokenRevokedError extends RoomgateError {
  constructor(message = 'token has been revoked') {
    super('ERR_TOKEN_REVOKED', message);
  }
}

/** A single-use token whose `jti` an earlier `$connect` already claimed: 401. */
export class TokenReusedError extends RoomgateError {
  constructor() {
    super('ERR_TOKEN_REUSED', 'this single-use token has already been used to connect');
  }
}

/** A client publish beyond the connection's token bucket: nothing was fanned out; retry later. */
export class RateLimitedError extends RoomgateError {
  constructor(message = 'publish rate limit exceeded; slow down') {
    super('ERR_RATE_LIMITED', message);
  }
}

/** `$connect` beyond the stage's cap on one user's concurrent connections in one room. */
export class TooManyConnectionsError extends RoomgateError {
  constructor(limit: number) {
    super('ERR_TOO_MANY_CONNECTIONS', `this user already has ${limit} connections in the room`);
  }
}

export function isRoomgateError(value: unknown): value is RoomgateError {
  return value instanceof RoomgateError;
}

/**
 * How a client may be answered: `client` — the caller's own doing (4xx, the message says what to
 * change; log at warn); `unavailable` — a dependency is down or throttled (503, retry; log at
 * error); `internal` — a fault of roomgate itself (500; log at error).
 */
export type PublicErrorClass = 'client' | 'unavailable' | 'internal';

/** What a client may see of an error: a wire code and a message that never carries internals. */
export interface PublicError {
  code: ErrorCode;
  message: string;
  class: PublicErrorClass;
  /** True when the same request may succeed later unchanged (`unavailable`). */
  retryable: boolean;
}

/**
 * Codes a client causes and may be told about with the error's own message. Every other code is
 * an outage or a fault of roomgate (a misconfigured stage, a failed delivery, a bug).
 */
const CLIENT_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'ERR_TOKEN_EXPIRED',
  'ERR_TOKEN_NOT_YET_VALID',
  'ERR_TOKEN_INVALID',
  'ERR_TOKEN_MISSING',
  'ERR_ROOM_FORBIDDEN',
  'ERR_CAPABILITY_FORBIDDEN',
  'ERR_UNAUTHENTICATED',
  'ERR_CONNECTION_EXISTS',
  'ERR_VALIDATION',
  'ERR_MESSAGE_INVALID',
  'ERR_MESSAGE_TOO_LARGE',
  'ERR_UNKNOWN_ACTION',
  'ERR_NOT_FOUND',
  'ERR_IDEMPOTENCY_KEY_REUSED',
  'ERR_IDEMPOTENCY_IN_PROGRESS',
  'ERR_KICKED',
  'ERR_USER_BANNED',
  'ERR_TOKEN_REVOKED',
  'ERR_TOKEN_REUSED',
  'ERR_RATE_LIMITED',
  'ERR_TOO_MANY_CONNECTIONS',
  'ERR_HISTORY_DISABLED',
  'ERR_CREDENTIALS_AMBIGUOUS',
]);

/**
 * A missing or malformed keys secret is the operator's to fix, not the client's: the client sees
 * the same retryable outage as when Secrets Manager is down; the log keeps the real code.
 */
const UNAVAILABLE_CODES: Readonly<Partial<Record<ErrorCode, ErrorCode>>> = {
  ERR_KEY_UNAVAILABLE: 'ERR_KEY_UNAVAILABLE',
  ERR_KEY_NOT_FOUND: 'ERR_KEY_UNAVAILABLE',
  ERR_KEY_MALFORMED: 'ERR_KEY_UNAVAILABLE',
  ERR_STORE_UNAVAILABLE: 'ERR_STORE_UNAVAILABLE',
  ERR_SIGNING_CREDENTIALS_UNAVAILABLE: 'ERR_SIGNING_CREDENTIALS_UNAVAILABLE',
};

/** The fixed texts of the non-client classes: what failed inside stays in the logs. */
export const UNAVAILABLE_MESSAGE = 'service temporarily unavailable, retry';
export const INTERNAL_MESSAGE = 'internal error';

/**
 * The one rule for what a client may see of anything thrown while serving it. Each edge maps the
 * result onto its transport (`$connect`: HTTP status and `x-roomgate-error`; `$default`: an error
 * frame; the token and Rooms APIs: HTTP status and body). Anything that is not a roomgate error
 * is `ERR_INTERNAL`.
 */
export function toPublicError(error: unknown): PublicError {
  if (!isRoomgateError(error)) return { code: 'ERR_INTERNAL', message: INTERNAL_MESSAGE, class: 'internal', retryable: false };
  if (CLIENT_CODES.has(error.code)) return { code: error.code, message: error.message, class: 'client', retryable: false };
  const unavailable = UNAVAILABLE_CODES[error.code];
  if (unavailable !== undefined) return { code: unavailable, message: UNAVAILABLE_MESSAGE, class: 'unavailable', retryable: true };
  return { code: 'ERR_INTERNAL', message: INTERNAL_MESSAGE, class: 'internal', retryable: false };
}
