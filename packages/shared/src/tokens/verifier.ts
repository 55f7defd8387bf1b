import { decodeBase64url } from './base64url.ts';
import { TokenExpiredError, TokenInvalidError, TokenNotYetValidError } from '../errors.ts';
import { verifyJws } from './jws-algorithms.ts';
import { isSigningAlgorithm, type VerificationKey } from './keys.ts';
import { CAPABILITIES, DEFAULT_CAPABILITIES, KID_PATTERN, type Capability, type RoomGrant, type TokenVerifier } from './types.ts';
import { ROOM_ID_PATTERN, USER_ID_PATTERN } from '@roomgate/protocol/ids';
import { systemClock, type Clock } from '../runtime/clock.ts';

/** Where the verifier finds public keys; `kid` undefined asks for every key (legacy tokens). */
export interface KeyResolver {
  resolve(kid: string | undefined): Promise<VerificationKey[]>;
}

export interface VerifierOptions {
  keys: KeyResolver;
  issuer?: string;
  audience?: string;
  /** Tokens must carry `iss` and `aud` (default true). */
  requireIssAud?: boolean;
  /** Accept the source article's tokens: RS256, no `kid`, only `{sub, iat, exp}` (default false). */
  allowLegacy?: boolean;
  clockToleranceSeconds?: number;
  clock?: Clock;
  /** Longer tokens are refused before any parsing (default 4096). */
  maxTokenLength?: number;
  /**
   * Longest lifetime a token may claim, in seconds: `exp − iat`, or `exp − now` for a token
   * without `iat`, may not exceed it plus the clock tolerance (default 3600, the token API's
   * `TOKEN_MAX_TTL` default). Keeps a leaked or mis-minted long-lived token from being admitted.
   */
  maxTokenLifetimeSeconds?: number;
}

/** Default of `maxTokenLifetimeSeconds`: the token API's `TOKEN_MAX_TTL` default. */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 3600;
/**
 * Upper bound of any NumericDate claim (`exp`, `iat`, `nbf`): 9999-12-31T23:59:59Z. Far beyond
 * any real token, but it keeps `1e300` and friends out of arithmetic, logs and DynamoDB numbers.
 */
export const MAX_NUMERIC_DATE = 253_402_300_799;
/** Longest `iss`, each `aud` entry and `jti` accepted (characters). */
export const MAX_CLAIM_STRING_LENGTH = 256;
/** Most `aud` entries accepted. */
export const MAX_AUDIENCES = 16;
/** `jti`: printable ASCII without spaces, as our signer's ids are; it is logged and returned. */
const TOKEN_ID_PATTERN = /^[\x21-\x7e]{1,128}$/;

export function staticKeys(keys: VerificationKey[]): KeyResolver {
  return { resolve: async (kid) => (kid === undefined ? keys : keys.filter((key) => key.kid === kid)) };
}

export function createVerifier(options: VerifierOptions): TokenVerifier {
  const clock = options.clock ?? systemClock;
  const tolerance = options.clockToleranceSeconds ?? 5;
  const requireIssAud = options.requireIssAud ?? true;
  const allowLegacy = options.allowLegacy ?? false;
  const maxTokenLength = options.maxTokenLength ?? 4096;
  const maxLifetime = options.maxTokenLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;

  return {
    async verify(token: string): Promise<RoomGrant> {
      if (typeof token !== 'string' || token.length === 0) throw new TokenInvalidError('token is empty');
      if (token.length > maxTokenLength) throw new TokenInvalidError('token is too long');
      const segments = token.split('.');
      if (segments.length !== 3) throw new TokenInvalidError('token is not a JWS compact serialization');
      const [encodedHeader, encodedPayload, encodedSignature] = segments as [string, string, string];

      const header = decodeJsonSegment(encodedHeader, 'header');
      if (!isSigningAlgorithm(header.alg)) throw new TokenInvalidError('token algorithm is not allowed');
      if (header.typ !== undefined && (typeof header.typ !== 'string' || header.typ.toUpperCase() !== 'JWT')) {
        throw new TokenInvalidError('token type is not JWT');
      }
      // RFC 7515 4.1.11: unknown critical extensions must be rejected; we understand none.
      if (header.crit !== undefined) throw new TokenInvalidError('token has critical header parameters');
      const kid = header.kid;
      if (kid !== undefined && (typeof kid !== 'string' || !KID_PATTERN.test(kid))) {
        throw new TokenInvalidError('token kid is malformed');
      }
      const legacy = kid === undefined;
      if (legacy && !(allowLegacy && header.alg === 'RS256')) throw new TokenInvalidError('token has no kid');

      const signature = decodeBase64url(encodedSignature);
      if (signature === undefined || signature.length === 0) throw new TokenInvalidError('token signature is malformed');
      const candidates = (await options.keys.resolve(kid as string | undefined)).filter((key) => key.alg === header.alg);
      if (candidates.length === 0) throw new TokenInvalidError('token key is unknown');
      const signingInput = `${encodedHeader}.${encodedPayload}`;
      const key = candidates.find((candidate) => verifyJws(candidate.alg, signingInput, signature, candidate.publicKey));
      if (key === undefined) throw new TokenInvalidError('token signature does not verify');

      // Claims are read only after the signature holds, so nothing unauthenticated shapes errors.
      const claims = decodeJsonSegment(encodedPayload, 'payload');
      return checkClaims(claims, { kid: key.kid, legacy });
    },
  };

  /**
   * Every claim has a type and a range (the claim policy, docs/security.md): NumericDates are
   * integers in [0, MAX_NUMERIC_DATE], strings are bounded, ids match their patterns, `cap` holds
   * known values, and the lifetime fits the deployment's maximum. Policy refusals come before the
   * time checks: a token minted too long stays invalid, whereas ERR_TOKEN_EXPIRED would tell the
   * client a fresh token of the same kind could work.
   */
  function checkClaims(claims: Record<string, unknown>, found: { kid: string; legacy: boolean }): RoomGrant {
    const now = clock();
    const { sub, iat, exp, nbf, iss, aud, jti, uid, cap, once } = claims;
    if (exp === undefined) throw new TokenInvalidError('token exp is missing');
    if (!isNumericDate(exp)) throw new TokenInvalidError('token exp is not an integer NumericDate in range');
    if (iat !== undefined && !isNumericDate(iat)) throw new TokenInvalidError('token iat is not an integer NumericDate in range');
    if (nbf !== undefined && !isNumericDate(nbf)) throw new TokenInvalidError('token nbf is not an integer NumericDate in range');
    if (typeof sub !== 'string' || !ROOM_ID_PATTERN.test(sub)) throw new TokenInvalidError('token sub is not a room id');
    if (iat !== undefined && exp < iat) throw new TokenInvalidError('token exp is before its iat');
    const lifetime = exp - (iat ?? now);
    if (lifetime > maxLifetime + tolerance) {
      throw new TokenInvalidError(`token lifetime (${lifetime} s) exceeds the maximum of ${maxLifetime} s`);
    }

    if (exp <= now - tolerance) throw new TokenExpiredError();
    if (nbf !== undefined && nbf > now + tolerance) throw new TokenNotYetValidError();
    if (iat !== undefined && iat > now + tolerance) throw new TokenNotYetValidError('token was issued in the future');

    checkIssuer(iss);
    checkAudience(aud);
    if (jti !== undefined && (typeof jti !== 'string' || !TOKEN_ID_PATTERN.test(jti))) throw new TokenInvalidError('token jti is malformed');
    if (uid !== undefined && (typeof uid !== 'string' || !USER_ID_PATTERN.test(uid))) {
      throw new TokenInvalidError('token uid is not a user id');
    }
    // A single-use token is claimed by its jti: without one there is nothing to claim.
    if (once !== undefined && once !== true) throw new TokenInvalidError('token once is malformed');
    if (once === true && jti === undefined) throw new TokenInvalidError('single-use token has no jti');

    return {
      roomId: sub,
      ...(uid !== undefined && { userId: uid as string }),
      capabilities: parseCapabilities(cap),
      issuedAt: (iat as number | undefined) ?? now,
      expiresAt: exp,
      ...(jti !== undefined && { tokenId: jti as string }),
      ...(once === true && { singleUse: true }),
      ...(!found.legacy && { kid: found.kid }),
      legacy: found.legacy,
    };
  }

  function checkIssuer(iss: unknown): void {
    if (iss === undefined) {
      if (requireIssAud) throw new TokenInvalidError('token has no iss');
      return;
    }
    if (typeof iss !== 'string' || iss.length > MAX_CLAIM_STRING_LENGTH || (options.issuer !== undefined && iss !== options.issuer)) {
      throw new TokenInvalidError('token iss is not accepted');
    }
  }

  function checkAudience(aud: unknown): void {
    if (aud === undefined) {
      if (requireIssAud) throw new TokenInvalidError('token has no aud');
      return;
    }
    const audiences = typeof aud === 'string' ? [aud] : aud;
    if (
      !Array.isArray(audiences) ||
      audiences.length === 0 ||
      audiences.length > MAX_AUDIENCES ||
      !audiences.every((entry) => typeof entry === 'string' && entry.length <= MAX_CLAIM_STRING_LENGTH)
    ) {
      throw new TokenInvalidError('token aud is malformed');
    }
    if (options.audience !== undefined && !audiences.includes(options.audience)) {
      throw new TokenInvalidError('token aud is not accepted');
    }
  }
}

function decodeJsonSegment(segment: string, what: string): Record<string, unknown> {
  const bytes = decodeBase64url(segment);
  if (bytes === undefined) throw new TokenInvalidError(`token ${what} is not base64url`);
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new TokenInvalidError(`token ${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TokenInvalidError(`token ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

// RFC 7519 allows fractional NumericDates; roomgate's signer and the source system both write
// whole seconds, and integers keep every comparison and stored number exact.
function isNumericDate(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= MAX_NUMERIC_DATE;
}

function parseCapabilities(cap: unknown): Capability[] {
  if (cap === undefined) return [...DEFAULT_CAPABILITIES];
  if (!Array.isArray(cap) || cap.length > CAPABILITIES.length || !cap.every((entry) => (CAPABILITIES as readonly unknown[]).includes(entry))) {
    throw new TokenInvalidError('token cap is malformed');
  }
  return [...new Set(cap as Capability[])];
}
