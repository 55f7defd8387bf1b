import type { ErrorCode as ServerErrorCode } from '@roomgate/protocol/error-codes';

/** Failures the client itself detects. */
export type ClientErrorCode =
  /** The socket closed before it opened: the token was refused (401/403) or the server is unreachable. Browsers cannot tell which. */
  | 'ERR_CONNECT_REFUSED'
  /** An open connection closed without `close()` being called. */
  | 'ERR_CONNECTION_LOST'
  /** `getToken()` threw or returned something unusable. */
  | 'ERR_TOKEN_FETCH_FAILED'
  /** No reply to a publish, ping or refresh within the request timeout. */
  | 'ERR_REQUEST_TIMEOUT'
  /** `publish()` while the connection is not open. */
  | 'ERR_NOT_OPEN'
  /** `close()` was called while the operation was pending. */
  | 'ERR_CLIENT_CLOSED'
  /** No WebSocket constructor was given and none exists on `globalThis`. */
  | 'ERR_NO_WEBSOCKET'
  /** The server sent something that is not a roomgate frame. */
  | 'ERR_PROTOCOL';

/** Client codes plus the socket service's error-frame codes, passed through unchanged. */
export type RoomClientErrorCode = ClientErrorCode | ServerErrorCode;

export class RoomClientError extends Error {
  readonly code: RoomClientErrorCode;
  /** WebSocket close code, for ERR_CONNECT_REFUSED and ERR_CONNECTION_LOST. */
  readonly closeCode: number | undefined;
  /** false when retrying cannot help (getToken said so); the client then stops. */
  readonly retryable: boolean;

  constructor(code: RoomClientErrorCode, message: string, options: { cause?: unknown; closeCode?: number; retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RoomClientError';
    this.code = code;
    this.closeCode = options.closeCode;
    this.retryable = options.retryable ?? true;
  }
}

export function isRoomClientError(value: unknown): value is RoomClientError {
  return value instanceof RoomClientError;
}
