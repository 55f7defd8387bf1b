import { RoomgateError } from '@roomgate/shared/errors';

/** Stable codes of the presign module; the token API maps them to HTTP statuses. */
export type PresignErrorCode = 'ERR_SOCKET_URL_TOO_LONG' | 'ERR_SIGNING_CREDENTIALS_UNAVAILABLE';

/**
 * A presigned socket URL could not be made. Messages never contain the URL, a signature or a
 * credential: they end up in logs, and the URL is a bearer credential for its few seconds.
 */
export class PresignError extends RoomgateError {
  declare readonly code: PresignErrorCode;

  constructor(code: PresignErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/**
 * The signed URL would exceed API Gateway's WebSocket URL limit, which API Gateway enforces by
 * refusing the handshake. An operator problem (very long session token, huge JWT claims), not
 * something the caller can fix, hence a 500-class answer.
 */
export class SocketUrlTooLongError extends PresignError {
  readonly length: number;
  readonly limit: number;

  constructor(parts: { length: number; limit: number; sessionTokenLength: number; jwtLength: number }) {
    super(
      'ERR_SOCKET_URL_TOO_LONG',
      `presigned socket URL would be ${parts.length} characters, over API Gateway's ${parts.limit}-character limit ` +
        `(session token ${parts.sessionTokenLength}, JWT ${parts.jwtLength} characters)`,
    );
    this.length = parts.length;
    this.limit = parts.limit;
  }
}

/** The credential provider chain failed (no role credentials, STS/IMDS unreachable): retryable. */
export class SigningCredentialsUnavailableError extends PresignError {
  constructor(options?: { cause?: unknown }) {
    super('ERR_SIGNING_CREDENTIALS_UNAVAILABLE', 'AWS credentials for presigning the socket URL are unavailable', options);
  }
}

export function isPresignError(value: unknown): value is PresignError {
  return value instanceof PresignError;
}
