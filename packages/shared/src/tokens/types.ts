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
}

/** What a verified token grants. Times are epoch seconds. */
export interface RoomGrant {
  roomId: string;
  userId?: string;
  capabilities: Capability[];
  issuedAt: number;
  expiresAt: number;
  tokenId?: string;
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
