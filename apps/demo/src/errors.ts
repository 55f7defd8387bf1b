/** Codes the demo backend answers with, besides those it passes through from the token API. */
export type DemoErrorCode =
  | 'ERR_INVALID_JSON'
  | 'ERR_VALIDATION'
  | 'ERR_BODY_TOO_LARGE'
  | 'ERR_UNSUPPORTED_MEDIA_TYPE'
  | 'ERR_NOT_FOUND'
  | 'ERR_METHOD_NOT_ALLOWED'
  /** `/api/token` from another site, or for a non-loopback Host (DNS rebinding). */
  | 'ERR_ORIGIN_FORBIDDEN'
  | 'ERR_TOKEN_API_UNAVAILABLE'
  | 'ERR_PORT_IN_USE'
  | 'ERR_PAGE_BUILD_FAILED';

export class DemoError extends Error {
  readonly code: DemoErrorCode;
  /** The HTTP status this error answers with, for request errors. */
  readonly status: number;

  constructor(code: DemoErrorCode, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DemoError';
    this.code = code;
    this.status = options.status ?? 500;
  }
}

/** The token API's error body shape, reused so the page handles one format. */
export interface ErrorBody {
  error: { code: string; message: string };
}

export const errorBody = (code: string, message: string): ErrorBody => ({ error: { code, message } });
