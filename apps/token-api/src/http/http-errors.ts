import type { HttpErrorCode } from '@roomgate/protocol/error-codes';
import { isRoomgateError, toPublicError, type ErrorCode } from '@roomgate/shared/errors';

/** Codes either function answers with: the domain codes plus the HTTP-only ones (`@roomgate/protocol`). */
export type { HttpErrorCode };

export interface HttpError {
  status: number;
  code: HttpErrorCode;
  /** Safe to show the caller: says what is wrong for a 4xx, nothing internal for a 5xx. */
  message: string;
}

export interface ErrorBody {
  error: { code: HttpErrorCode; message: string };
}

const INTERNAL: HttpError = { status: 500, code: 'ERR_INTERNAL', message: 'internal error' };

/** The 503 texts of this transport, by the code `toPublicError` chose; what failed stays in the logs. */
const UNAVAILABLE_TEXT: Partial<Record<ErrorCode, string>> = {
  ERR_KEY_UNAVAILABLE: 'keys are temporarily unavailable; retry shortly',
  ERR_STORE_UNAVAILABLE: 'the connection store is temporarily unavailable; retry shortly',
};

/** Statuses of the client-caused codes (`toPublicError` class `client`); one not listed is a 400. */
const CLIENT_STATUS: Partial<Record<ErrorCode, number>> = {
  // A malformed request rather than a bad credential: no key was checked (RFC 9110 15.5.1).
  ERR_CREDENTIALS_AMBIGUOUS: 400,
  ERR_UNAUTHENTICATED: 401,
  ERR_ROOM_FORBIDDEN: 403,
  ERR_CAPABILITY_FORBIDDEN: 403,
  ERR_VALIDATION: 400,
  ERR_NOT_FOUND: 404,
  // Rooms API (docs/rooms-api.md); codes follow the IETF Idempotency-Key draft's statuses.
  ERR_MESSAGE_TOO_LARGE: 413,
  // A message frame that cannot be built (too deep, not serialisable): the caller's data.
  ERR_MESSAGE_INVALID: 400,
  ERR_IDEMPOTENCY_IN_PROGRESS: 409,
  ERR_IDEMPOTENCY_KEY_REUSED: 422,
  // The resource exists; the stage runs with history off (HISTORY_TTL_SECONDS=0).
  ERR_HISTORY_DISABLED: 409,
};

/** Fastify's own 4xx errors, by `FST_ERR_*` code. */
const FASTIFY_ERRORS: Record<string, Omit<HttpError, 'message'> & { message?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'ERR_BODY_TOO_LARGE' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'ERR_UNSUPPORTED_MEDIA_TYPE', message: 'Content-Type must be application/json' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'ERR_INVALID_JSON', message: 'request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'ERR_INVALID_JSON', message: 'request body is empty; send a JSON object' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'ERR_BAD_REQUEST', message: 'Content-Length does not match the body' },
  // Raised by the router (see `frameworkErrors` in plugins/error-handling.ts); the path is not echoed.
  FST_ERR_BAD_URL: { status: 400, code: 'ERR_BAD_REQUEST', message: 'the request path is not valid percent-encoding' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: 'ERR_BAD_REQUEST', message: 'a path segment is too long' },
};

interface FastifyLikeError {
  code?: unknown;
  statusCode?: unknown;
  validation?: Array<{ keyword?: string; instancePath?: string; params?: Record<string, unknown>; message?: string }>;
  validationContext?: string;
  message?: unknown;
}

/**
 * Maps anything thrown while handling a request to what the caller sees. Unknown errors and
 * every 5xx get a fixed message: internals stay in the logs.
 */
export function toHttpError(error: unknown, limits: { bodyLimit: number }): HttpError {
  if (isRoomgateError(error)) {
    // What the caller may see is decided once, for every edge, by toPublicError; this maps it onto HTTP.
    const visible = toPublicError(error);
    if (visible.class === 'client') return { status: CLIENT_STATUS[visible.code] ?? 400, code: visible.code, message: visible.message };
    if (visible.class === 'unavailable') return { status: 503, code: visible.code, message: UNAVAILABLE_TEXT[visible.code] ?? visible.message };
    return INTERNAL;
  }
  const e = (error ?? {}) as FastifyLikeError;
  if (Array.isArray(e.validation)) return { status: 400, code: 'ERR_VALIDATION', message: validationMessage(e) };
  const known = typeof e.code === 'string' ? FASTIFY_ERRORS[e.code] : undefined;
  if (known) {
    const message = known.message ?? `request body exceeds ${limits.bodyLimit} bytes`;
    return { status: known.status, code: known.code, message };
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: e.statusCode, code: 'ERR_BAD_REQUEST', message: 'bad request' };
  }
  return INTERNAL;
}

/** Names the offending field in dotted form (`body.roomId`), with Ajv's description of the rule. */
function validationMessage(error: FastifyLikeError): string {
  const first = error.validation?.[0];
  if (!first) return 'request is invalid';
  const context = error.validationContext ?? 'body';
  const field = first.instancePath ? `${context}${first.instancePath.replaceAll('/', '.')}` : context;
  switch (first.keyword) {
    case 'required':
      return `${context}.${String(first.params?.missingProperty)} is required`;
    case 'additionalProperties':
      return `${context}.${String(first.params?.additionalProperty)} is not allowed`;
    default:
      return `${field} ${first.message ?? 'is invalid'}`;
  }
}
