import { describe, expect, it } from 'vitest';
import type { AwsCredentialIdentity } from '@smithy/types';
import { PresignError, SocketUrlTooLongError } from '../../../../src/token/presign/errors.ts';
import { parseSocketTarget, type SocketTarget } from '../../../../src/token/presign/socket-target.ts';
import { API_GATEWAY_MAX_URL_LENGTH, createSocketUrlPresigner } from '../../../../src/token/presign/socket-url-presigner.ts';
import { aws4Signature } from '../../../helpers/presign-aws4.ts';
import { temporaryCredentials } from '../../../helpers/presign-fixtures.ts';
import { presignedUntil, verifyPresignedUrl } from '../../../helpers/presign-sigv4-spec.ts';

const NOW = 1_800_000_000; // 2027-01-15T08:00:00Z
const REGION = 'eu-west-1';
const SOCKET = 'wss://abc123defg.execute-api.eu-west-1.amazonaws.com/prod';
/** Shaped like a roomgate RS256 token (header.payload.signature, base64url). */
const JWT = `eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImFiYyJ9.${'eyJzdWIiOiJjaGF0LTQyIn0'.repeat(8)}.${'s'.repeat(342)}`;

const target = (url = SOCKET): SocketTarget => {
  const parsed = parseSocketTarget(url);
  if (!parsed.target) throw new Error(parsed.problems.join('; '));
  return parsed.target;
};

function presignerWith(options: { credentials?: AwsCredentialIdentity; expiresInSeconds?: number; now?: () => number; url?: string } = {}) {
  const credentials = options.credentials ?? temporaryCredentials();
  return {
    credentials,
    presigner: createSocketUrlPresigner({
      target: target(options.url),
      region: REGION,
      expiresInSeconds: options.expiresInSeconds ?? 10,
      credentials: async () => credentials,
      clock: options.now ?? (() => NOW),
    }),
  };
}

const verify = (url: string, credentials: AwsCredentialIdentity) => verifyPresignedUrl(url, { secretAccessKey: credentials.secretAccessKey });

describe('presigned socket URL', () => {
  it('points at the stage, carries the JWT and room in the signed query, and signs only host', async () => {
    const { presigner, credentials } = presignerWith();
    const url = new URL(await presigner.presign({ token: JWT, roomId: 'chat-42' }));
    expect(`${url.protocol}//${url.host}${url.pathname}`).toBe(SOCKET);
    expect(url.searchParams.get('token')).toBe(JWT);
    expect(url.searchParams.get('room')).toBe('chat-42');
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(url.searchParams.get('X-Amz-Credential')).toBe(`${credentials.accessKeyId}/20270115/${REGION}/execute-api/aws4_request`);
    expect(url.searchParams.get('X-Amz-Date')).toBe('20270115T080000Z');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe(credentials.sessionToken);
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is already in the form a browser sends: WHATWG URL parsing leaves it byte for byte', async () => {
    const { presigner } = presignerWith();
    const url = await presigner.presign({ token: JWT, roomId: 'chat:42' });
    expect(new URL(url).href).toBe(url);
  });

  it.each([1, 10, 42, 300])('X-Amz-Expires is the configured %i s, never the library default of 3600', async (expiresInSeconds) => {
    const { presigner } = presignerWith({ expiresInSeconds });
    const url = await presigner.presign({ token: JWT, roomId: 'chat-1' });
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe(String(expiresInSeconds));
    expect(presignedUntil(url)).toBe(NOW + expiresInSeconds);
  });

  it.each([0, -1, 301, 3600, 1.5, Number.NaN])('refuses a lifetime of %s', (expiresInSeconds) => {
    expect(() => presignerWith({ expiresInSeconds })).toThrow(RangeError);
  });

  it('signs at request time: each URL carries the clock of its own request', async () => {
    let now = NOW;
    const { presigner, credentials } = presignerWith({ now: () => now });
    const first = await presigner.presign({ token: JWT, roomId: 'chat-1' });
    now += 61;
    const second = await presigner.presign({ token: JWT, roomId: 'chat-1' });
    expect(new URL(first).searchParams.get('X-Amz-Date')).toBe('20270115T080000Z');
    expect(new URL(second).searchParams.get('X-Amz-Date')).toBe('20270115T080101Z');
    expect(verify(first, credentials).valid && verify(second, credentials).valid).toBe(true);
  });

  it('an independent SigV4 implementation (aws4) computes the same signature', async () => {
    const { presigner, credentials } = presignerWith();
    const url = await presigner.presign({ token: JWT, roomId: 'chat-42' });
    expect(aws4Signature(url, { region: REGION, credentials })).toBe(new URL(url).searchParams.get('X-Amz-Signature'));
  });

  it('the from-spec check (canonical request → string to sign → signing key → HMAC) accepts it', async () => {
    const { presigner, credentials } = presignerWith();
    const url = await presigner.presign({ token: JWT, roomId: 'chat-42' });
    const result = verify(url, credentials);
    expect(result.valid).toBe(true);
    const lines = result.canonicalRequest.split('\n');
    expect(lines[0]).toBe('GET');
    expect(lines[1]).toBe('/prod');
    // The JWT is inside what is signed; the subprotocol header would not be.
    expect(lines[2]).toContain(`&token=${JWT}`);
    expect(lines.slice(3)).toEqual([
      'host:abc123defg.execute-api.eu-west-1.amazonaws.com',
      '',
      'host',
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    ]);
  });

  it('works without a session token (long-term keys, e.g. an IAM user locally)', async () => {
    const credentials = { accessKeyId: 'AKIAZ7EXAMPLE4TEST5Q', secretAccessKey: 'k2Wm9b7Vq0Zx3Lr8Tn5Yp1Hs6Dj4Fg2Ck0EXAMPLE' };
    const { presigner } = presignerWith({ credentials });
    const url = await presigner.presign({ token: JWT, roomId: 'chat-42' });
    expect(new URL(url).searchParams.has('X-Amz-Security-Token')).toBe(false);
    expect(verify(url, credentials).valid).toBe(true);
    expect(aws4Signature(url, { region: REGION, credentials })).toBe(new URL(url).searchParams.get('X-Amz-Signature'));
  });

  describe('changing any signed part breaks the signature', () => {
    // aws4 re-derives the credential scope and security token from its inputs, so it only has an
    // opinion on the other parts; the from-spec check reads everything from the URL.
    const tamper: Array<[string, (url: URL) => void, boolean?]> = [
      ['host', (url) => void (url.host = 'zzz999zzzz.execute-api.eu-west-1.amazonaws.com')],
      ['path (stage)', (url) => void (url.pathname = '/dev')],
      ['path (trailing slash)', (url) => void (url.pathname = '/prod/')],
      ['token', (url) => url.searchParams.set('token', JWT.replace(/s$/, 't'))],
      ['room', (url) => url.searchParams.set('room', 'chat-43')],
      ['date', (url) => url.searchParams.set('X-Amz-Date', '20270115T080001Z')],
      ['expires', (url) => url.searchParams.set('X-Amz-Expires', '3600')],
      ['session token', (url) => url.searchParams.set('X-Amz-Security-Token', `${url.searchParams.get('X-Amz-Security-Token')}A`), false],
      [
        'credential scope (region)',
        (url) => url.searchParams.set('X-Amz-Credential', url.searchParams.get('X-Amz-Credential')!.replace(REGION, 'us-east-1')),
        false,
      ],
      ['an added parameter', (url) => url.searchParams.set('extra', '1')],
      ['a removed token', (url) => url.searchParams.delete('token')],
    ];

    it.each(tamper)('%s', async (_part, change, aws4Applies = true) => {
      const { presigner, credentials } = presignerWith();
      const original = await presigner.presign({ token: JWT, roomId: 'chat-42' });
      const url = new URL(original);
      change(url);
      const tampered = url.toString();
      expect(verify(tampered, credentials).valid).toBe(false);
      // aws4 agrees: the signature the tampered request needs is not the one it carries.
      if (aws4Applies) expect(aws4Signature(tampered, { region: REGION, credentials })).not.toBe(url.searchParams.get('X-Amz-Signature'));
    });
  });

  it('survives a client re-serialising the query to set ?room= to the same room (packages/client does)', async () => {
    const { presigner, credentials } = presignerWith();
    const url = new URL(await presigner.presign({ token: JWT, roomId: 'chat:42.a_b-c' }));
    url.searchParams.set('room', 'chat:42.a_b-c');
    expect(verify(url.toString(), credentials).valid).toBe(true);
  });

  it('describes itself by host and path only, never a query', () => {
    const { presigner } = presignerWith();
    expect(presigner.describe).toEqual({ host: 'abc123defg.execute-api.eu-west-1.amazonaws.com', path: '/prod', region: REGION, expiresInSeconds: 10 });
  });
});

describe("API Gateway's 4096-character URL limit", () => {
  /** A roomgate token at its largest: 128-char room and user ids, long iss/aud, a 4096-bit RSA signature. */
  const maxJwt = (): string => {
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const header = b64({ alg: 'RS256', typ: 'JWT', kid: 'k'.repeat(43) });
    const payload = b64({
      sub: 'r'.repeat(128),
      uid: 'u'.repeat(128),
      iss: `https://tokens.${'x'.repeat(40)}.example.com`,
      aud: 'roomgate-socket',
      jti: '0f8fad5b-d9cb-469f-a165-70867728950e',
      iat: NOW,
      exp: NOW + 86_400,
      cap: ['subscribe', 'publish'],
    });
    return `${header}.${payload}.${'S'.repeat(683)}`;
  };

  it('a realistic STS session token (1,300 chars) plus a max-size JWT and room id fit, and still verify', async () => {
    const { presigner, credentials } = presignerWith({ credentials: temporaryCredentials(1_300) });
    const url = await presigner.presign({ token: maxJwt(), roomId: 'r'.repeat(128) });
    expect(url.length).toBeGreaterThan(3_000);
    expect(url.length).toBeLessThanOrEqual(API_GATEWAY_MAX_URL_LENGTH);
    expect(verify(url, credentials).valid).toBe(true);
  });

  it('a URL over the limit is a clear ERR_SOCKET_URL_TOO_LONG whose message names lengths, not the URL', async () => {
    const { presigner, credentials } = presignerWith({ credentials: temporaryCredentials(2_400) });
    const error = await presigner.presign({ token: maxJwt(), roomId: 'r'.repeat(128) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SocketUrlTooLongError);
    expect(error).toBeInstanceOf(PresignError);
    const tooLong = error as SocketUrlTooLongError;
    expect(tooLong.code).toBe('ERR_SOCKET_URL_TOO_LONG');
    expect(tooLong.limit).toBe(4096);
    expect(tooLong.length).toBeGreaterThan(4096);
    expect(tooLong.message).toMatch(
      /^presigned socket URL would be \d+ characters, over API Gateway's 4096-character limit \(session token 2400, JWT \d+ characters\)$/,
    );
    for (const secret of ['wss://', 'X-Amz', credentials.sessionToken!.slice(0, 40), maxJwt().slice(0, 40)]) expect(tooLong.message).not.toContain(secret);
  });
});
