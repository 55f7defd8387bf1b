import { decodeBase64url } from './base64url.ts';
import { KID_PATTERN } from './types.ts';

/**
 * The `kid` of a token's protected header (RFC 7515 4.1.4), for refusal log lines: a key id is
 * public (the JWKS lists it), so an operator can tell "signed with a key this stage does not
 * publish yet" from a forgery without the token. Unverified, so only a well-formed kid
 * (KID_PATTERN) is returned; undefined for anything else. Never throws.
 */
export function tokenKid(token: string): string | undefined {
  const header = typeof token === 'string' ? token.split('.', 1)[0] : undefined;
  // A header of a few hundred bytes holds any valid kid; a longer one is not worth decoding for a log line.
  if (header === undefined || header.length > 1024) return undefined;
  const bytes = decodeBase64url(header);
  if (bytes === undefined) return undefined;
  try {
    const kid = (JSON.parse(bytes.toString('utf8')) as { kid?: unknown } | null)?.kid;
    return typeof kid === 'string' && KID_PATTERN.test(kid) ? kid : undefined;
  } catch {
    return undefined;
  }
}
