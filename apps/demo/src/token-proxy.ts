import type { Logger } from '@roomgate/shared/runtime';
import { errorBody, type ErrorBody } from './errors.ts';

export interface TokenProxyOptions {
  tokenApiUrl: string;
  apiKey: string;
  fetch?: typeof fetch;
  /** How long to wait for the token API. */
  timeoutMs?: number;
  logger: Logger;
}

export interface TokenRequest {
  roomId: string;
  userId?: string;
}

/** What the page gets: only what a browser needs to connect. */
export interface PageToken {
  token: string;
  socketUrl: string;
  expiresAt: string;
  expiresIn: number;
}

export type TokenProxyResult = { status: 200; body: PageToken } | { status: number; body: ErrorBody };

/**
 * Plays the "backend team": asks the token API for a token with the demo's API key. The reply is
 * rebuilt field by field, so nothing but the token grant (and never the key) reaches the browser;
 * the token API's 4xx/5xx status and error code pass through so the page can tell why.
 */
export function makeTokenProxy(options: TokenProxyOptions) {
  const fetchImpl = options.fetch ?? fetch;
  const endpoint = new URL('/v1/tokens', options.tokenApiUrl).toString();
  const timeoutMs = options.timeoutMs ?? 5_000;
  const unavailable = { status: 502, body: errorBody('ERR_TOKEN_API_UNAVAILABLE', 'the token API could not be reached; is `pnpm dev` running?') };

  return async function requestToken(input: TokenRequest): Promise<TokenProxyResult> {
    let response: Response;
    try {
      response = await fetchImpl(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': options.apiKey },
        // `presence` so the page can show who is in the room (docs/architecture.md, "Presence").
        body: JSON.stringify({ ...input, capabilities: ['subscribe', 'publish', 'presence'] }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      options.logger.warn('token API unreachable', { endpoint, error: (error as Error).message });
      return unavailable;
    }
    const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (response.ok && isGrant(body)) {
      return { status: 200, body: { token: body.token, socketUrl: body.socketUrl, expiresAt: body.expiresAt, expiresIn: body.expiresIn } };
    }
    const error = (body?.error ?? {}) as { code?: unknown; message?: unknown };
    if (!response.ok && typeof error.code === 'string' && typeof error.message === 'string') {
      options.logger.info('token refused', { roomId: input.roomId, status: response.status, code: error.code });
      return { status: response.status, body: errorBody(error.code, error.message) };
    }
    options.logger.warn('token API answered something unexpected', { endpoint, status: response.status });
    return unavailable;
  };
}

function isGrant(body: Record<string, unknown> | undefined): body is Record<string, unknown> & PageToken {
  return typeof body?.token === 'string' && typeof body.socketUrl === 'string' && typeof body.expiresAt === 'string' && typeof body.expiresIn === 'number';
}
