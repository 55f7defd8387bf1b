import { createHash, createHmac } from 'node:crypto';

/**
 * SigV4 query-string verification written from the specification ("Create a signed AWS API
 * request" in the IAM user guide; "Authenticating Requests: Using Query Parameters" in the S3
 * API reference), independent of @smithy/signature-v4: canonical request → string to sign →
 * signing key → HMAC. It parses the URL the way a server does (split on & and =, percent-
 * decode) and re-encodes per RFC 3986, so it also checks how our URLs are serialised.
 */
export interface SpecVerifyOptions {
  secretAccessKey: string;
  /** Empty-body hash for every service except S3 presigning, which signs `UNSIGNED-PAYLOAD`. */
  payloadHash?: string;
  /** GET unless told otherwise. */
  method?: string;
}

export interface SpecVerification {
  valid: boolean;
  canonicalRequest: string;
  stringToSign: string;
  expected: string;
  provided: string;
  params: Map<string, string>;
}

export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const sha256Hex = (data: string): string => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986: unreserved characters stay, every other UTF-8 byte becomes %XX (upper-case hex). */
export function uriEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Splits a raw query the way a server does; `+` is left as a literal plus (RFC 3986, not forms). */
export function parseRawQuery(rawQuery: string): Array<[string, string]> {
  if (rawQuery === '') return [];
  return rawQuery.split('&').map((pair) => {
    const at = pair.indexOf('=');
    const [name, value] = at === -1 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
    return [decodeURIComponent(name), decodeURIComponent(value)];
  });
}

export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  return [date, region, service, 'aws4_request'].reduce<Buffer | string>((key, part) => hmac(key, part), `AWS4${secretAccessKey}`) as Buffer;
}

export function verifyPresignedUrl(url: string, options: SpecVerifyOptions): SpecVerification {
  const parsed = new URL(url);
  const rawQuery = parsed.search.replace(/^\?/, '');
  const pairs = parseRawQuery(rawQuery);
  const params = new Map(pairs);
  const provided = params.get('X-Amz-Signature') ?? '';

  // Canonical query: every parameter but the signature, encoded, sorted by encoded name then value.
  const canonicalQuery = pairs
    .filter(([name]) => name !== 'X-Amz-Signature')
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');

  const signedHeaders = (params.get('X-Amz-SignedHeaders') ?? '').split(';');
  const headerValues: Record<string, string> = { host: parsed.host };
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${(headerValues[name] ?? '').trim()}\n`).join('');

  // Each segment of the raw (decoded) path, RFC 3986-encoded: for the unreserved-only paths used
  // here and in the test-suite vectors this equals the wire path, so "once or twice" is moot.
  const rawPath = decodeURIComponent(parsed.pathname || '/');
  const canonicalPath = rawPath.split('/').map(uriEncode).join('/');

  const canonicalRequest = [
    options.method ?? 'GET',
    canonicalPath,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders.join(';'),
    options.payloadHash ?? EMPTY_SHA256,
  ].join('\n');

  const [accessKeyId, date, region, service, terminator] = (params.get('X-Amz-Credential') ?? '').split('/');
  const amzDate = params.get('X-Amz-Date') ?? '';
  const scope = [date, region, service, terminator].join('/');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const expected = createHmac('sha256', signingKey(options.secretAccessKey, date ?? '', region ?? '', service ?? ''))
    .update(stringToSign, 'utf8')
    .digest('hex');

  const valid =
    accessKeyId !== undefined &&
    params.get('X-Amz-Algorithm') === 'AWS4-HMAC-SHA256' &&
    terminator === 'aws4_request' &&
    amzDate.slice(0, 8) === date &&
    expected === provided;
  return { valid, canonicalRequest, stringToSign, expected, provided, params };
}

/** Epoch seconds until which a presigned URL is accepted (X-Amz-Date + X-Amz-Expires). */
export function presignedUntil(url: string): number {
  const params = new URL(url).searchParams;
  const d = params.get('X-Amz-Date') ?? '';
  const start = Date.UTC(+d.slice(0, 4), +d.slice(4, 6) - 1, +d.slice(6, 8), +d.slice(9, 11), +d.slice(11, 13), +d.slice(13, 15)) / 1000;
  return start + Number(params.get('X-Amz-Expires'));
}
