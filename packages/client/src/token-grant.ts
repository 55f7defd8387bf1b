import { RoomClientError } from './errors.ts';
import type { TokenGrant } from './types.ts';

/** A usable grant with its expiry resolved to epoch milliseconds on the client's clock. */
export interface ResolvedGrant {
  token: string;
  socketUrl: string;
  fetchedAt: number;
  expiresAt: number;
}

/**
 * Calls `getToken` and checks what came back. Every failure becomes ERR_TOKEN_FETCH_FAILED; an
 * error thrown with `retryable: false` (say, the backend answered 403) keeps that flag.
 */
export async function fetchGrant(getToken: () => Promise<TokenGrant>, now: () => number): Promise<ResolvedGrant> {
  const fetchedAt = now();
  let grant: TokenGrant;
  try {
    grant = await getToken();
  } catch (error) {
    const retryable = (error as { retryable?: unknown } | null)?.retryable !== false;
    const reason = error instanceof Error ? error.message : String(error);
    throw new RoomClientError('ERR_TOKEN_FETCH_FAILED', `could not get a token: ${reason}`, { cause: error, retryable });
  }
  const expiresAt = resolveExpiry(grant, fetchedAt);
  if (typeof grant?.token !== 'string' || grant.token === '' || typeof grant.socketUrl !== 'string' || expiresAt === undefined) {
    throw new RoomClientError('ERR_TOKEN_FETCH_FAILED', 'getToken() must return {token, socketUrl, expiresAt}');
  }
  return { token: grant.token, socketUrl: grant.socketUrl, fetchedAt, expiresAt };
}

function resolveExpiry(grant: TokenGrant | undefined, fetchedAt: number): number | undefined {
  if (typeof grant?.expiresIn === 'number' && Number.isFinite(grant.expiresIn)) return fetchedAt + grant.expiresIn * 1000;
  const value = grant?.expiresAt;
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * When to refresh: `leadMs` before expiry, but never in the first half of the token's life, so a
 * short-lived token (shorter than twice the lead) cannot turn into a refresh loop.
 */
export function refreshDelay(grant: ResolvedGrant, leadMs: number, now: number): number {
  const lifetime = grant.expiresAt - grant.fetchedAt;
  const lead = Math.min(leadMs, lifetime / 2);
  return Math.max(0, grant.expiresAt - lead - now);
}
