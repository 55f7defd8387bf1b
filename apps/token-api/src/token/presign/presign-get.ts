import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

export interface PresignGetOptions {
  /** SigV4 service name: `execute-api` for API Gateway. */
  service: string;
  region: string;
  /** Called on every signature; pass a caching provider (see cached-credentials.ts). */
  credentials: AwsCredentialIdentityProvider;
}

export interface PresignGetRequest {
  /** Scheme, host (with a non-default port) and path; its query parameters are signed too. */
  url: URL;
  signingDate: Date;
  /** Always explicit: the library would otherwise default to one hour. */
  expiresInSeconds: number;
}

/** What SigV4 allows at most for a presigned URL (one week). */
export const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

export type PresignGet = (request: PresignGetRequest) => Promise<string>;

/**
 * SigV4 query-string signing ("presigning") of a GET: X-Amz-Algorithm, -Credential, -Date,
 * -Expires, -SignedHeaders=host, -Security-Token (temporary credentials) and -Signature are
 * added to the URL's own query parameters, all of which (except the signature) are part of
 * the canonical request. Only `host` is a signed header, so nothing a browser cannot set is
 * needed. One SignatureV4 instance serves every request (it caches derived signing keys).
 */
export function createPresignGet(options: PresignGetOptions): PresignGet {
  const signer = new SignatureV4({
    service: options.service,
    region: options.region,
    credentials: options.credentials,
    sha256: Hash.bind(null, 'sha256'),
    // Non-S3 services canonicalise the path with URI encoding applied (the library's default).
    uriEscapePath: true,
  });

  return async ({ url, signingDate, expiresInSeconds }) => {
    if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < 1 || expiresInSeconds > MAX_PRESIGN_SECONDS) {
      throw new RangeError(`expiresInSeconds must be an integer from 1 to ${MAX_PRESIGN_SECONDS}`);
    }
    const query: Record<string, string> = {};
    for (const [name, value] of url.searchParams) {
      if (name in query) throw new RangeError(`query parameter ${JSON.stringify(name)} appears twice`);
      query[name] = value;
    }
    const signed = await signer.presign(
      {
        method: 'GET',
        protocol: url.protocol,
        hostname: url.hostname,
        path: decodeURIComponent(url.pathname),
        query,
        headers: { host: url.host },
      },
      { signingDate, expiresIn: expiresInSeconds },
    );
    return `${url.protocol}//${url.host}${url.pathname}?${formatQuery(signed.query as Record<string, string>)}`;
  };
}

/**
 * Serialises in canonical order with the signature last, encoded the way SigV4 canonicalises
 * (RFC 3986 unreserved characters kept, everything else percent-encoded, `+` never meaning
 * space), so whatever decodes the URL gets back exactly the signed values.
 */
function formatQuery(query: Record<string, string>): string {
  const signature = 'X-Amz-Signature';
  const pairs = Object.entries(query)
    .filter(([name]) => name !== signature)
    .map(([name, value]) => `${rfc3986(name)}=${rfc3986(value)}`)
    .sort();
  return [...pairs, `${signature}=${rfc3986(query[signature] ?? '')}`].join('&');
}

const rfc3986 = (value: string): string => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
