import type { TokenGrant } from '@roomgate/client';

/** The demo backend refused to hand out a token; `code` is the token API's (or the demo's). */
export class TokenRequestError extends Error {
  readonly code: string;
  readonly status: number;
  /** Only server-side trouble is worth retrying; a 4xx will not change by asking again. */
  readonly retryable: boolean;

  constructor(code: string, message: string, status: number) {
    super(message);
    this.name = 'TokenRequestError';
    this.code = code;
    this.status = status;
    this.retryable = status >= 500 || status === 408 || status === 429;
  }
}

export interface TokenSourceOptions {
  roomId: string;
  userId: string;
  endpoint?: string;
  fetch?: typeof fetch;
}

/**
 * `getToken` for @roomgate/client: asks the demo backend, which holds the API key, for a token.
 * A network failure rejects with fetch's TypeError, which the client treats as retryable.
 */
export function makeTokenSource(options: TokenSourceOptions): () => Promise<TokenGrant> {
  const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  return async () => {
    const response = await fetchImpl(options.endpoint ?? '/api/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ roomId: options.roomId, userId: options.userId }),
    });
    const body = (await response.json().catch(() => undefined)) as (TokenGrant & { error?: { code?: string; message?: string } }) | undefined;
    if (response.ok && body) return body;
    throw new TokenRequestError(
      body?.error?.code ?? `HTTP_${response.status}`,
      body?.error?.message ?? `token request failed (${response.status})`,
      response.status,
    );
  };
}
