/**
 * Every failure roomgate reports carries a stable `code` callers can switch on. Edges map codes to
 * protocol outcomes: the token API to HTTP statuses, `$connect` to 401/403, `$default` to error
 * frames. `message` is safe to show to the caller; `cause` is for logs only.
 */
export type ErrorCode =
  | 'ERR_TOKEN_EXPIRED'
  | 'ERR_TOKEN_NOT_YET_VALID'
  | 'ERR_TOKEN_INVALID'
  | 'ERR_TOKEN_MISSING'
  | 'ERR_ROOM_FORBIDDEN'
  | 'ERR_CAPABILITY_FORBIDDEN'
  | 'ERR_UNAUTHENTICATED'
  | 'ERR_KEY_UNAVAILABLE'
  | 'ERR_KEY_NOT_FOUND'
  | 'ERR_KEY_MALFORMED'
  | 'ERR_CONFIG_INVALID'
  | 'ERR_STORE_UNAVAILABLE'
  | 'ERR_CONNECTION_GONE'
  /** `$connect` for a connection id that already has a row (a replayed or forged event). */
  | 'ERR_CONNECTION_EXISTS'
  | 'ERR_DELIVERY_FAILED'
  | 'ERR_VALIDATION'
  | 'ERR_MESSAGE_INVALID'
  | 'ERR_MESSAGE_TOO_LARGE'
  | 'ERR_UNKNOWN_ACTION'
  | 'ERR_NOT_FOUND'
  | 'ERR_IDEMPOTENCY_KEY_REUSED'
  | 'ERR_IDEMPOTENCY_IN_PROGRESS'
  /** Error frame sent just before the Rooms API closes a user's connection. */
  | 'ERR_KICKED'
  | 'ERR_INTERNAL';

export class RoomgateError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

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

export function isRoomgateError(value: unknown): value is RoomgateError {
  return value instanceof RoomgateError;
}
