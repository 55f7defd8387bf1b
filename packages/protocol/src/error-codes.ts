/**
 * Every failure roomgate reports carries a stable `code` callers can switch on. These are the
 * codes that may reach a caller: in an error frame (`$default`, the Rooms API's kick), in the
 * `x-roomgate-error` header of a refused `$connect`, and in `{error: {code, message}}` HTTP bodies.
 * A newer server may send a code an older client does not list; clients pass it through.
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
  /** Error frame sent just before the Rooms API closes a user's connection; the client does not reconnect. */
  | 'ERR_KICKED'
  /** The stage runs with history off (HISTORY_TTL_SECONDS=0): no `history` action, no recovery. */
  | 'ERR_HISTORY_DISABLED'
  /** Token API: more than one API key in one request (repeated or comma-joined headers, x-api-key vs Bearer). */
  | 'ERR_CREDENTIALS_AMBIGUOUS'
  /** Token API, IAM mode: the presigned socket URL would pass API Gateway's 4096-character limit (a deployment problem). */
  | 'ERR_SOCKET_URL_TOO_LONG'
  /** Token API, IAM mode: no AWS credentials to presign the socket URL with; retry. */
  | 'ERR_SIGNING_CREDENTIALS_UNAVAILABLE'
  /** The user is banned from the room (refused `$connect`/`refresh`: 403; error frame before a close). The client does not reconnect. */
  | 'ERR_USER_BANNED'
  /** The token (by `jti`, or by user and issue time) was revoked: 401 at `$connect`/`refresh`; error frame before a close. */
  | 'ERR_TOKEN_REVOKED'
  /** A single-use token whose `jti` another connection already claimed: 401 at `$connect`. */
  | 'ERR_TOKEN_REUSED'
  /** A client publish beyond the connection's rate limit; the error frame carries the frame's `id`, nothing was fanned out. */
  | 'ERR_RATE_LIMITED'
  /** `$connect` beyond the stage's cap on one user's concurrent connections in one room: 429. */
  | 'ERR_TOO_MANY_CONNECTIONS'
  /** Server-side only: a fan-out shard function received an event that is not a shard job. */
  | 'ERR_SHARD_JOB_INVALID'
  | 'ERR_INTERNAL';

/** Codes a refused client frame (or a `message` frame that cannot be built) carries. */
export type FrameErrorCode = Extract<ErrorCode, 'ERR_MESSAGE_INVALID' | 'ERR_MESSAGE_TOO_LARGE' | 'ERR_UNKNOWN_ACTION'>;

/** Codes only the HTTP framework layer of the token API and the Rooms API answers with (no error class carries them). */
export type HttpOnlyErrorCode = 'ERR_BAD_REQUEST' | 'ERR_INVALID_JSON' | 'ERR_BODY_TOO_LARGE' | 'ERR_UNSUPPORTED_MEDIA_TYPE' | 'ERR_METHOD_NOT_ALLOWED';

/** Every code the token API and the Rooms API may put in an error body. */
export type HttpErrorCode = ErrorCode | HttpOnlyErrorCode;
