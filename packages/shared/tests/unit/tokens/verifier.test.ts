import { sign as nodeSign } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { jwtVerify, SignJWT, importPKCS8, createLocalJWKSet } from 'jose';
import { createSigner } from '../../../src/tokens/signer.ts';
import { createVerifier, staticKeys } from '../../../src/tokens/verifier.ts';
import { publicJwkOf } from '../../../src/tokens/keys.ts';
import { ALGORITHMS, type SigningAlgorithm } from '../../../src/tokens/types.ts';
import { encodeSegment, forgeHs256WithPublicKey, forgeToken, makeTestKey, unsignedToken, type TestKey } from '../../helpers/tokens.ts';

const NOW = 1_800_000_000;
const clock = () => NOW;
const ISS = 'https://tokens.roomgate.test';
const AUD = 'roomgate-socket';

const keys = {} as Record<SigningAlgorithm, TestKey>;
let other: TestKey;

beforeAll(async () => {
  for (const alg of ALGORITHMS) keys[alg] = await makeTestKey(alg);
  other = await makeTestKey('RS256');
});

const verifierFor = (alg: SigningAlgorithm, extra: Partial<Parameters<typeof createVerifier>[0]> = {}) =>
  createVerifier({ keys: staticKeys([keys[alg].verification]), issuer: ISS, audience: AUD, clock, ...extra });

const goodClaims = (over: Record<string, unknown> = {}) => ({ sub: 'room-1', iat: NOW, exp: NOW + 300, iss: ISS, aud: AUD, jti: 'j1', uid: 'u1', ...over });
const header = (alg: SigningAlgorithm, over: Record<string, unknown> = {}) => ({ alg, typ: 'JWT', kid: keys[alg].signing.kid, ...over });

describe.each(ALGORITHMS)('signer → verifier round trip (%s)', (alg) => {
  it('grants the room, user and capabilities the token names', async () => {
    const signer = createSigner({ key: keys[alg].signing, issuer: ISS, audience: AUD, clock });
    const issued = await signer.sign({ roomId: 'room-1', userId: 'alice', ttlSeconds: 300, capabilities: ['subscribe'] });
    expect(issued.expiresAt).toBe(NOW + 300);
    const grant = await verifierFor(alg).verify(issued.token);
    expect(grant).toMatchObject({
      roomId: 'room-1',
      userId: 'alice',
      capabilities: ['subscribe'],
      expiresAt: NOW + 300,
      legacy: false,
      kid: keys[alg].signing.kid,
    });
  });

  it('produces tokens an independent implementation (jose) accepts', async () => {
    const signer = createSigner({ key: keys[alg].signing, issuer: ISS, audience: AUD });
    const { token } = await signer.sign({ roomId: 'room-1', ttlSeconds: 60 });
    const jwks = createLocalJWKSet({ keys: [await publicJwkOf(keys[alg].record)] });
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: ISS, audience: AUD, algorithms: [alg] });
    expect(protectedHeader).toEqual({ alg, typ: 'JWT', kid: keys[alg].signing.kid });
    expect(payload.sub).toBe('room-1');
    expect(payload.cap).toEqual(['subscribe', 'publish']);
  });

  it('accepts tokens made by an independent implementation (jose)', async () => {
    const privateKey = await importPKCS8(keys[alg].record.private_key, alg);
    const token = await new SignJWT({ uid: 'bob' })
      .setProtectedHeader({ alg, kid: keys[alg].signing.kid })
      .setSubject('room-9')
      .setIssuer(ISS)
      .setAudience(AUD)
      .setIssuedAt(NOW)
      .setExpirationTime(NOW + 60)
      .sign(privateKey);
    await expect(verifierFor(alg).verify(token)).resolves.toMatchObject({ roomId: 'room-9', userId: 'bob' });
  });
});

describe('bad tokens are refused with a code', () => {
  const rs = () => keys.RS256;
  const sign = (h: Record<string, unknown>, p: unknown, key = rs().signing.privateKey, alg: SigningAlgorithm = 'RS256') => forgeToken(h, p, key, alg);
  const good = () => sign(header('RS256'), goodClaims());

  const cases: Array<[string, () => string, string]> = [
    ['alg none', () => unsignedToken(header('RS256'), goodClaims()), 'ERR_TOKEN_INVALID'],
    ['HS256 signed with the public key as secret', () => forgeHs256WithPublicKey(header('RS256'), goodClaims(), rs().record.public_key), 'ERR_TOKEN_INVALID'],
    ["kid of another algorithm's key", () => sign(header('RS256', { kid: keys.ES256.signing.kid }), goodClaims()), 'ERR_TOKEN_INVALID'],
    ['unknown kid', () => sign(header('RS256', { kid: 'nope' }), goodClaims()), 'ERR_TOKEN_INVALID'],
    ['right kid, signed by another key', () => sign(header('RS256'), goodClaims(), other.signing.privateKey), 'ERR_TOKEN_INVALID'],
    ['expired', () => sign(header('RS256'), goodClaims({ iat: NOW - 60, exp: NOW - 10 })), 'ERR_TOKEN_EXPIRED'],
    ['not yet valid (nbf)', () => sign(header('RS256'), goodClaims({ nbf: NOW + 60 })), 'ERR_TOKEN_NOT_YET_VALID'],
    ['issued in the future', () => sign(header('RS256'), goodClaims({ iat: NOW + 60 })), 'ERR_TOKEN_NOT_YET_VALID'],
    ['wrong aud', () => sign(header('RS256'), goodClaims({ aud: 'someone-else' })), 'ERR_TOKEN_INVALID'],
    ['wrong iss', () => sign(header('RS256'), goodClaims({ iss: 'https://evil.test' })), 'ERR_TOKEN_INVALID'],
    ['missing iss', () => sign(header('RS256'), goodClaims({ iss: undefined })), 'ERR_TOKEN_INVALID'],
    ['missing exp', () => sign(header('RS256'), goodClaims({ exp: undefined })), 'ERR_TOKEN_INVALID'],
    ['exp as string', () => sign(header('RS256'), goodClaims({ exp: String(NOW + 60) })), 'ERR_TOKEN_INVALID'],
    ['sub with a slash', () => sign(header('RS256'), goodClaims({ sub: 'a/b' })), 'ERR_TOKEN_INVALID'],
    ['unknown capability', () => sign(header('RS256'), goodClaims({ cap: ['admin'] })), 'ERR_TOKEN_INVALID'],
    ['crit header', () => sign(header('RS256', { crit: ['exp'] }), goodClaims()), 'ERR_TOKEN_INVALID'],
    ['typ not JWT', () => sign(header('RS256', { typ: 'at+jwt' }), goodClaims()), 'ERR_TOKEN_INVALID'],
    [
      'tampered payload',
      () => {
        const [h, , s] = good().split('.');
        return `${h}.${encodeSegment(goodClaims({ sub: 'room-2' }))}.${s}`;
      },
      'ERR_TOKEN_INVALID',
    ],
    [
      'tampered signature',
      () => {
        const t = good();
        return t.slice(0, -3) + (t.endsWith('AAA') ? 'BBB' : 'AAA');
      },
      'ERR_TOKEN_INVALID',
    ],
    [
      'signature with a non-alphabet character',
      () => {
        const t = good();
        return `${t.slice(0, -1)}*`;
      },
      'ERR_TOKEN_INVALID',
    ],
    ['truncated', () => good().slice(0, 40), 'ERR_TOKEN_INVALID'],
    ['two segments', () => good().split('.').slice(0, 2).join('.'), 'ERR_TOKEN_INVALID'],
    ['four segments', () => `${good()}.x`, 'ERR_TOKEN_INVALID'],
    ['oversized', () => sign(header('RS256'), goodClaims({ pad: 'x'.repeat(5000) })), 'ERR_TOKEN_INVALID'],
    [
      'non-JSON header',
      () => {
        const [, p, s] = good().split('.');
        return `${encodeSegment('not json')}.${p}.${s}`;
      },
      'ERR_TOKEN_INVALID',
    ],
    ['non-JSON payload', () => sign(header('RS256'), 'not json'), 'ERR_TOKEN_INVALID'],
    ['payload a JSON array', () => sign(header('RS256'), [1, 2]), 'ERR_TOKEN_INVALID'],
    ['empty', () => '', 'ERR_TOKEN_INVALID'],
    ['legacy (no kid) while compatibility is off', () => sign({ typ: 'JWT', alg: 'RS256' }, { sub: 'room-1', iat: NOW, exp: NOW + 60 }), 'ERR_TOKEN_INVALID'],
  ];

  it.each(cases)('%s → %s', async (_name, make, code) => {
    await expect(verifierFor('RS256').verify(make())).rejects.toMatchObject({ code });
  });

  it('an ES256 signature in DER form (not JOSE r||s) is refused', async () => {
    const input = `${encodeSegment(header('ES256'))}.${encodeSegment(goodClaims())}`;
    const der = nodeSign('sha256', Buffer.from(input), keys.ES256.signing.privateKey).toString('base64url');
    await expect(verifierFor('ES256').verify(`${input}.${der}`)).rejects.toMatchObject({ code: 'ERR_TOKEN_INVALID' });
  });

  it('the clock tolerance admits a token a few seconds past exp, and no more', async () => {
    const verifier = verifierFor('RS256', { clockToleranceSeconds: 5 });
    await expect(verifier.verify(sign(header('RS256'), goodClaims({ iat: NOW - 60, exp: NOW - 4 })))).resolves.toBeDefined();
    await expect(verifier.verify(sign(header('RS256'), goodClaims({ iat: NOW - 60, exp: NOW - 5 })))).rejects.toMatchObject({ code: 'ERR_TOKEN_EXPIRED' });
  });
});

describe('claim policy: every claim has a type and a range', () => {
  const sign = (claims: Record<string, unknown>) => forgeToken(header('RS256'), claims, keys.RS256.signing.privateKey, 'RS256');
  // goodClaims() lives 300 s; the default maximum lifetime is 3600 s, the tolerance 5 s.
  const refused: Array<[string, Record<string, unknown>, RegExp]> = [
    ['exp ten years ahead (iat now)', goodClaims({ exp: NOW + 10 * 365 * 86400 }), /lifetime/],
    ['exp ten years ahead, no iat', goodClaims({ iat: undefined, exp: NOW + 10 * 365 * 86400 }), /lifetime/],
    ['exp = 1e300', goodClaims({ exp: 1e300 }), /exp is not an integer/],
    ['exp fractional', goodClaims({ exp: NOW + 60.5 }), /exp is not an integer/],
    ['exp negative', goodClaims({ exp: -1 }), /exp is not an integer/],
    ['exp past year 9999', goodClaims({ iat: 253_402_300_000, exp: 253_402_300_800 }), /exp is not an integer/],
    ['exp null', goodClaims({ exp: null }), /exp is not an integer/],
    ['iat = 1e300', goodClaims({ iat: 1e300 }), /iat is not an integer/],
    ['iat fractional', goodClaims({ iat: NOW + 0.25 }), /iat is not an integer/],
    ['iat as string', goodClaims({ iat: String(NOW) }), /iat is not an integer/],
    ['nbf = -1e300', goodClaims({ nbf: -1e300 }), /nbf is not an integer/],
    ['nbf as boolean', goodClaims({ nbf: true }), /nbf is not an integer/],
    ['exp before iat', goodClaims({ iat: NOW, exp: NOW - 1 }), /before its iat/],
    ['lifetime one second past max + tolerance', goodClaims({ exp: NOW + 3600 + 5 + 1 }), /lifetime \(3606 s\)/],
    ['old iat, lifetime too long though exp is near', goodClaims({ iat: NOW - 7200, exp: NOW + 60 }), /lifetime/],
    ['iss of 257 characters (no issuer configured)', goodClaims({ iss: 'i'.repeat(257) }), /iss/],
    ['aud entry of 257 characters', goodClaims({ aud: [AUD, 'a'.repeat(257)] }), /aud is malformed/],
    ['aud with 17 entries', goodClaims({ aud: [AUD, ...Array.from({ length: 16 }, (_, i) => `a${i}`)] }), /aud is malformed/],
    ['aud an empty array', goodClaims({ aud: [] }), /aud is malformed/],
    ['jti of 129 characters', goodClaims({ jti: 'j'.repeat(129) }), /jti is malformed/],
    ['jti with a space', goodClaims({ jti: 'a b' }), /jti is malformed/],
    ['jti a number', goodClaims({ jti: 7 }), /jti is malformed/],
    ['uid with a slash', goodClaims({ uid: 'a/b' }), /uid/],
    ['uid of 129 characters', goodClaims({ uid: 'u'.repeat(129) }), /uid/],
    ['sub of 129 characters', goodClaims({ sub: 'r'.repeat(129) }), /sub/],
    ['sub a number', goodClaims({ sub: 42 }), /sub/],
    ['cap a string', goodClaims({ cap: 'subscribe' }), /cap/],
    ['cap with more entries than capabilities exist', goodClaims({ cap: ['subscribe', 'subscribe', 'publish', 'presence'] }), /cap/],
    ['cap with an unknown value', goodClaims({ cap: ['subscribe', 'admin'] }), /cap/],
    ['once false (only `true` is a claim)', goodClaims({ once: false }), /once is malformed/],
    ['once as string', goodClaims({ once: 'true' }), /once is malformed/],
    ['once without jti (nothing to claim)', goodClaims({ once: true, jti: undefined }), /single-use token has no jti/],
  ];

  it.each(refused)('%s → ERR_TOKEN_INVALID', async (_name, claims, reason) => {
    // No issuer configured for the iss case: the bound must hold without an exact-match check.
    const verifier = createVerifier({ keys: staticKeys([keys.RS256.verification]), audience: AUD, clock });
    const error = await verifier.verify(sign(claims)).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: 'ERR_TOKEN_INVALID' });
    expect((error as Error).message).toMatch(reason);
  });

  const admitted: Array<[string, Record<string, unknown>]> = [
    ['lifetime exactly max + tolerance', goodClaims({ exp: NOW + 3600 + 5 })],
    ['no iat, exp − now exactly max', goodClaims({ iat: undefined, exp: NOW + 3600 })],
    ['iss of 256 characters', goodClaims({ iss: 'i'.repeat(256) })],
    ['aud with 16 entries', goodClaims({ aud: [AUD, ...Array.from({ length: 15 }, (_, i) => `a${i}`)] })],
    ['jti of 128 printable characters', goodClaims({ jti: 'j'.repeat(127) + '~' })],
    ['cap with a duplicate (deduplicated)', goodClaims({ cap: ['subscribe', 'subscribe'] })],
  ];

  it('a once: true token is granted as single-use; others are not', async () => {
    const verifier = createVerifier({ keys: staticKeys([keys.RS256.verification]), audience: AUD, clock });
    await expect(verifier.verify(sign(goodClaims({ once: true, jti: 'j-1' })))).resolves.toMatchObject({ singleUse: true, tokenId: 'j-1' });
    expect((await verifier.verify(sign(goodClaims({})))).singleUse).toBeUndefined();
  });

  it.each(admitted)('%s → admitted', async (_name, claims) => {
    const verifier = createVerifier({ keys: staticKeys([keys.RS256.verification]), audience: AUD, clock });
    await expect(verifier.verify(sign(claims))).resolves.toMatchObject({ roomId: 'room-1' });
  });

  it('maxTokenLifetimeSeconds sets the bound (a 24 h token needs a 24 h deployment maximum)', async () => {
    const token = sign(goodClaims({ exp: NOW + 86_400 }));
    await expect(verifierFor('RS256').verify(token)).rejects.toMatchObject({ code: 'ERR_TOKEN_INVALID' });
    await expect(verifierFor('RS256', { maxTokenLifetimeSeconds: 86_400 }).verify(token)).resolves.toMatchObject({ expiresAt: NOW + 86_400 });
  });

  it('a token minted too long is invalid even once expired (a fresh one of its kind would fail too)', async () => {
    const token = sign(goodClaims({ iat: NOW - 20_000, exp: NOW - 10 }));
    await expect(verifierFor('RS256').verify(token)).rejects.toMatchObject({ code: 'ERR_TOKEN_INVALID' });
  });

  it("the token API's own longest token is admitted by a verifier with the same maximum", async () => {
    const issued = await createSigner({ key: keys.RS256.signing, issuer: ISS, audience: AUD, clock }).sign({ roomId: 'room-1', ttlSeconds: 3600 });
    await expect(verifierFor('RS256', { maxTokenLifetimeSeconds: 3600 }).verify(issued.token)).resolves.toMatchObject({ expiresAt: NOW + 3600 });
  });
});

describe('source-article compatibility', () => {
  // Exactly what the article's PHP backend produces: header {"typ":"JWT","alg":"RS256"},
  // payload {sub, iat, exp}, RSA-SHA256 over base64url(header).base64url(payload).
  const phpStyle = () => {
    const base64url = (text: string) => Buffer.from(text).toString('base64url');
    const input = `${base64url('{"typ":"JWT","alg":"RS256"}')}.${base64url(`{"sub":"chat-room-42","iat":${NOW},"exp":${NOW + 3600}}`)}`;
    // openssl_sign(..., OPENSSL_ALGO_SHA256) is RSASSA-PKCS1-v1_5 with SHA-256.
    return `${input}.${nodeSign('sha256', Buffer.from(input), keys.RS256.signing.privateKey).toString('base64url')}`;
  };

  it('is accepted when compatibility is on', async () => {
    const verifier = verifierFor('RS256', { allowLegacy: true, requireIssAud: false });
    await expect(verifier.verify(phpStyle())).resolves.toEqual({
      roomId: 'chat-room-42',
      capabilities: ['subscribe', 'publish'],
      issuedAt: NOW,
      expiresAt: NOW + 3600,
      legacy: true,
    });
  });

  it('is refused when compatibility is off', async () => {
    await expect(verifierFor('RS256').verify(phpStyle())).rejects.toMatchObject({ code: 'ERR_TOKEN_INVALID' });
    await expect(verifierFor('RS256', { allowLegacy: true }).verify(phpStyle())).rejects.toMatchObject({ code: 'ERR_TOKEN_INVALID' });
  });

  it('an ES256 token without kid is never legacy', async () => {
    const token = forgeToken({ typ: 'JWT', alg: 'ES256' }, { sub: 'r', iat: NOW, exp: NOW + 60 }, keys.ES256.signing.privateKey, 'ES256');
    const verifier = verifierFor('ES256', { allowLegacy: true, requireIssAud: false });
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'ERR_TOKEN_INVALID' });
  });
});

describe('rotation', () => {
  it('a token signed with the previous key verifies until the key is retired', async () => {
    const previous = keys.RS256;
    const current = other;
    const token = (await createSigner({ key: previous.signing, issuer: ISS, audience: AUD, clock }).sign({ roomId: 'r', ttlSeconds: 60 })).token;
    const rotated = createVerifier({ keys: staticKeys([current.verification, previous.verification]), issuer: ISS, audience: AUD, clock });
    await expect(rotated.verify(token)).resolves.toMatchObject({ roomId: 'r', kid: previous.signing.kid });
    const retired = createVerifier({ keys: staticKeys([current.verification]), issuer: ISS, audience: AUD, clock });
    await expect(retired.verify(token)).rejects.toMatchObject({ code: 'ERR_TOKEN_INVALID' });
  });
});
