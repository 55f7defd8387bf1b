import type { HttpError } from '../../http/http-errors.ts';
import { isPresignError, type PresignErrorCode } from './errors.ts';

/** IAM mode (presigned socket URLs). Fixed messages: the real one, with lengths, goes to the log. */
const PRESIGN_ERRORS: Record<PresignErrorCode, HttpError> = {
  ERR_SOCKET_URL_TOO_LONG: {
    status: 500,
    code: 'ERR_SOCKET_URL_TOO_LONG',
    message: "the presigned socket URL would exceed API Gateway's 4096-character limit; this is a deployment problem, not a caller one",
  },
  ERR_SIGNING_CREDENTIALS_UNAVAILABLE: {
    status: 503,
    code: 'ERR_SIGNING_CREDENTIALS_UNAVAILABLE',
    message: 'socket URL signing is temporarily unavailable; retry shortly',
  },
};

/** The token function's `appErrors` (http/error-handling.ts): presign failures, never the caller's fault. */
export function presignHttpError(error: unknown): HttpError | undefined {
  return isPresignError(error) ? PRESIGN_ERRORS[error.code] : undefined;
}
