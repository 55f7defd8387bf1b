import { RoomgateError } from '@roomgate/protocol/errors';

/**
 * The error classes of the server side. The code union and the base class are part of the wire
 * protocol (`@roomgate/protocol`) and re-exported here for existing imports. Edges map codes to
 * protocol outcomes: the token API to HTTP statuses, `$connect` to 401/403, `$default` to error
 * frames. `message` is safe to show to the caller; `cause` is for logs only.
 */
export type { ErrorCode } from '@roomgate/protocol/error-codes';
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

export function isRoomgateError(value: unknown): value is RoomgateError {
  return value instanceof RoomgateError;
}
