export { CAPABILITIES, DEFAULT_CAPABILITIES, type Capability } from '@roomgate/protocol/capabilities';
import type { Capability } from '@roomgate/protocol/capabilities';

export const ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const;
export type SigningAlgorithm = (typeof ALGORITHMS)[number];

/** JWT claims of a room token. `sub` is the room id, as in the source article. */
export interface RoomClaims {
  sub: string;
  iat: number;
  exp: number;
  nbf?: number;
  iss?: string;
  aud?: string | string[];
  jti?: string;
  /** user id */
  uid?: string;
  /** capabilities; absent means DEFAULT_CAPABILITIES (subscribe and publish) */
  cap?: Capability[];
  /** single-use: `$connect` claims `jti` atomically, a second connection with it is refused (ERR_TOKEN_REUSED) */
  once?: true;
}

/** What a verified token grants. Times are epoch seconds. */
export interface RoomGrant {
  roomId: string;
  userId?: string;
  capabilities: Capability[];
  issuedAt: number;
  expiresAt: number;
  tokenId?: string;
  /** The token carries `once: true`: `$connect` claims its `tokenId` (docs/security.md, single-use tokens). */
  singleUse?: boolean;
  kid?: string;
  /** true when the token was made the source article's way (RS256, `{sub, iat, exp}` only) */
  legacy: boolean;
}

export interface TokenVerifier {
  /** Resolves the grant or throws TokenExpiredError / TokenNotYetValidError / TokenInvalidError / KeyUnavailableError. */
  verify(token: string): Promise<RoomGrant>;
}

export interface IssueRequest {
  roomId: string;
  userId?: string;
  ttlSeconds: number;
  capabilities?: Capability[];
  /** Adds `once: true`: the token opens one connection at most. */
  singleUse?: boolean;
}

export interface IssuedToken {
  token: string;
  /** epoch seconds */
  issuedAt: number;
  /** epoch seconds */
  expiresAt: number;
  kid: string;
  jti: string;
}

export interface TokenSigner {
  sign(request: IssueRequest): Promise<IssuedToken>;
}

/**
 * What a `kid` may be (header and JWKS alike): 1–128 printable ASCII characters without spaces.
 * roomgate's own kids are RFC 7638 thumbprints (43 base64url characters); the rule exists so the
 * key CLI refuses, before a stage is called healthy, a kid every verifier would refuse.
 */
export const KID_PATTERN = /^[\x21-\x7e]{1,128}$/;
