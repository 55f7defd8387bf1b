import { decodeBase64url } from './base64url.ts';
import { TokenExpiredError, TokenInvalidError, TokenNotYetValidError } from './errors.ts';
import { verifyJws } from './jws-algorithms.ts';
import { isSigningAlgorithm, type VerificationKey } from './keys.ts';
import {
  CAPABILITIES,
  ROOM_ID_PATTERN,
  USER_ID_PATTERN,
  systemClock,
  type Capability,
  type Clock,
  type RoomGrant,
  type TokenVerifier,
} from './types.ts';

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
}

export function staticKeys(keys: VerificationKey[]): KeyResolver {
  return { resolve: async (kid) => (kid === undefined ? keys : keys.filter((key) => key.kid === kid)) };
}

const MAX_KID_LENGTH = 128;

export function createVerifier(options: VerifierOptions): TokenVerifier {
  const clock = options.clock ?? systemClock;
  const tolerance = options.clockToleranceSeconds ?? 5;
  const requireIssAud = options.requireIssAud ?? true;
  const allowLegacy = options.allowLegacy ?? false;
  const maxTokenLength = options.maxTokenLength ?? 4096;

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
      if (kid !== undefined && (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH)) {
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

  function checkClaims(claims: Record<string, unknown>, found: { kid: string; legacy: boolean }): RoomGrant {
    const now = clock();
    const { sub, iat, exp, nbf, iss, aud, jti, uid, cap } = claims;
    if (!isNumericDate(exp)) throw new TokenInvalidError('token exp is missing or not a number');
    if (iat !== undefined && !isNumericDate(iat)) throw new TokenInvalidError('token iat is not a number');
    if (nbf !== undefined && !isNumericDate(nbf)) throw new TokenInvalidError('token nbf is not a number');
    if (typeof sub !== 'string' || !ROOM_ID_PATTERN.test(sub)) throw new TokenInvalidError('token sub is not a room id');

    if (exp <= now - tolerance) throw new TokenExpiredError();
    if (nbf !== undefined && nbf > now + tolerance) throw new TokenNotYetValidError();
    if (iat !== undefined && iat > now + tolerance) throw new TokenNotYetValidError('token was issued in the future');

    checkIssuer(iss);
    checkAudience(aud);
    if (jti !== undefined && typeof jti !== 'string') throw new TokenInvalidError('token jti is not a string');
    if (uid !== undefined && (typeof uid !== 'string' || !USER_ID_PATTERN.test(uid))) {
      throw new TokenInvalidError('token uid is not a user id');
    }

    return {
      roomId: sub,
      ...(uid !== undefined && { userId: uid as string }),
      capabilities: parseCapabilities(cap),
      issuedAt: (iat as number | undefined) ?? now,
      expiresAt: exp,
      ...(jti !== undefined && { tokenId: jti as string }),
      ...(!found.legacy && { kid: found.kid }),
      legacy: found.legacy,
    };
  }

  function checkIssuer(iss: unknown): void {
    if (iss === undefined) {
      if (requireIssAud) throw new TokenInvalidError('token has no iss');
      return;
    }
    if (typeof iss !== 'string' || (options.issuer !== undefined && iss !== options.issuer)) {
      throw new TokenInvalidError('token iss is not accepted');
    }
  }

  function checkAudience(aud: unknown): void {
    if (aud === undefined) {
      if (requireIssAud) throw new TokenInvalidError('token has no aud');
      return;
    }
    const audiences = typeof aud === 'string' ? [aud] : aud;
    if (!Array.isArray(audiences) || !audiences.every((entry) => typeof entry === 'string')) {
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

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function parseCapabilities(cap: unknown): Capability[] {
  if (cap === undefined) return [...CAPABILITIES];
  if (!Array.isArray(cap) || !cap.every((entry) => (CAPABILITIES as readonly unknown[]).includes(entry))) {
    throw new TokenInvalidError('token cap is malformed');
  }
  return [...new Set(cap as Capability[])];
}
