import { encodeBase64url } from './base64url.ts';
import { signJws } from './jws-algorithms.ts';
import { newTokenId, type SigningKey } from './keys.ts';
import { DEFAULT_CAPABILITIES, type IssueRequest, type IssuedToken, type RoomClaims, type TokenSigner } from './types.ts';
import { systemClock, type Clock } from '../runtime/clock.ts';

export interface SignerOptions {
  /** A parsed key, or a provider (e.g. the Secrets Manager source) so rotation is picked up. */
  key: SigningKey | (() => Promise<SigningKey>);
  issuer?: string;
  audience?: string;
  clock?: Clock;
  tokenId?: () => string;
}

/**
 * Issues room tokens: JWS compact, header `{alg, typ: "JWT", kid}`, claims `{sub: roomId, iat,
 * exp, iss, aud, jti, uid?, cap, once?}`. The encoded header is computed once per key.
 */
export function createSigner(options: SignerOptions): TokenSigner {
  const clock = options.clock ?? systemClock;
  const tokenId = options.tokenId ?? newTokenId;
  const getKey = typeof options.key === 'function' ? options.key : () => Promise.resolve(options.key as SigningKey);
  const headers = new WeakMap<SigningKey, string>();

  const encodedHeader = (key: SigningKey): string => {
    let header = headers.get(key);
    if (header === undefined) {
      header = encodeBase64url(JSON.stringify({ alg: key.alg, typ: 'JWT', kid: key.kid }));
      headers.set(key, header);
    }
    return header;
  };

  return {
    async sign(request: IssueRequest): Promise<IssuedToken> {
      const key = await getKey();
      const issuedAt = clock();
      const expiresAt = issuedAt + request.ttlSeconds;
      const jti = tokenId();
      const claims: RoomClaims = {
        sub: request.roomId,
        iat: issuedAt,
        exp: expiresAt,
        ...(options.issuer !== undefined && { iss: options.issuer }),
        ...(options.audience !== undefined && { aud: options.audience }),
        jti,
        ...(request.userId !== undefined && { uid: request.userId }),
        cap: request.capabilities ?? [...DEFAULT_CAPABILITIES],
        ...(request.singleUse === true && { once: true as const }),
      };
      const signingInput = `${encodedHeader(key)}.${encodeBase64url(JSON.stringify(claims))}`;
      const signature = signJws(key.alg, signingInput, key.privateKey).toString('base64url');
      return { token: `${signingInput}.${signature}`, issuedAt, expiresAt, kid: key.kid, jti };
    },
  };
}
