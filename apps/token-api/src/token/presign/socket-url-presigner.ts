import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { Clock } from '@roomgate/shared/runtime';
import { SocketUrlTooLongError } from './errors.ts';
import { createPresignGet } from './presign-get.ts';
import type { SocketTarget } from './socket-target.ts';

/** API Gateway's "Length, in characters, of the URL for a WebSocket API" quota (not adjustable). */
export const API_GATEWAY_MAX_URL_LENGTH = 4096;

export const MIN_PRESIGN_EXPIRES_SECONDS = 1;
/** A presigned URL is used within a second of being fetched; minutes would only widen the replay window. */
export const MAX_PRESIGN_EXPIRES_SECONDS = 300;

export interface SocketUrlPresignerOptions {
  target: SocketTarget;
  /** The socket API's region: part of the credential scope. */
  region: string;
  expiresInSeconds: number;
  /** Created once per container; see cached-credentials.ts. */
  credentials: AwsCredentialIdentityProvider;
  clock: Clock;
  maxUrlLength?: number;
}

export interface SocketUrlPresigner {
  /** Safe to log, unlike a URL: host and stage path, region, lifetime. */
  readonly describe: { host: string; path: string; region: string; expiresInSeconds: number };
  /** `wss://host/stage?room=…&token=…&X-Amz-…`, valid for `expiresInSeconds` from now. */
  presign(input: { token: string; roomId: string }): Promise<string>;
}

/**
 * Presigned `$connect` URLs for a socket stage whose `$connect` route uses AWS_IAM.
 *
 * The JWT rides in the signed query (`token=`), not in `Sec-WebSocket-Protocol`: API Gateway
 * signs only `host` of the headers, so a subprotocol token could be swapped for any other valid
 * token under the same signature, whereas a query token is bound to it. `room=` is signed too,
 * with the token's own room, so a client that sets `?room=` to the room it asked for leaves the
 * signature intact, and one that changes it gets 403 from API Gateway.
 */
export function createSocketUrlPresigner(options: SocketUrlPresignerOptions): SocketUrlPresigner {
  const { target, region, expiresInSeconds, credentials, clock } = options;
  if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < MIN_PRESIGN_EXPIRES_SECONDS || expiresInSeconds > MAX_PRESIGN_EXPIRES_SECONDS) {
    throw new RangeError(`expiresInSeconds must be an integer from ${MIN_PRESIGN_EXPIRES_SECONDS} to ${MAX_PRESIGN_EXPIRES_SECONDS}`);
  }
  const maxUrlLength = options.maxUrlLength ?? API_GATEWAY_MAX_URL_LENGTH;
  const presignGet = createPresignGet({ service: 'execute-api', region, credentials });
  // SigV4 never signs the scheme, so a wss: URL carries the same signature as its https: twin.
  const base = `${target.protocol}//${target.host}${target.path}`;

  return {
    describe: { host: target.host, path: target.path, region, expiresInSeconds },
    async presign({ token, roomId }) {
      const url = new URL(base);
      url.searchParams.set('room', roomId);
      url.searchParams.set('token', token);
      // Signed at request time: X-Amz-Date starts the validity window.
      const signed = await presignGet({ url, signingDate: new Date(clock() * 1000), expiresInSeconds });
      if (signed.length > maxUrlLength) {
        const sessionToken = new URL(signed).searchParams.get('X-Amz-Security-Token') ?? '';
        throw new SocketUrlTooLongError({ length: signed.length, limit: maxUrlLength, sessionTokenLength: sessionToken.length, jwtLength: token.length });
      }
      return signed;
    },
  };
}
