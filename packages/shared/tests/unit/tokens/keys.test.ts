import { generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  generateSigningKey,
  importJwks,
  importSigningKey,
  jwkThumbprint,
  parseSigningKeyRecord,
  publicJwkOf,
  publicKeysSecretName,
  signingKeySecretName,
} from '../../../src/tokens/keys.ts';
import { ALGORITHMS } from '../../../src/tokens/types.ts';

describe('signing key records', () => {
  it.each(ALGORITHMS)('%s: generate → secret JSON → import gives the same kid for signing and JWKS', async (alg) => {
    const record = await generateSigningKey(alg, new Date('2026-01-01T00:00:00Z'));
    expect(record.private_key).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(record.public_key).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(record.created_at).toBe('2026-01-01T00:00:00.000Z');
    const parsed = parseSigningKeyRecord(JSON.stringify(record));
    const signing = await importSigningKey(parsed);
    const jwk = await publicJwkOf(parsed);
    expect(signing.kid).toBe(record.kid);
    expect(jwk).toMatchObject({ kid: record.kid, alg, use: 'sig' });
    expect(jwk).not.toHaveProperty('d');
    expect(importJwks({ keys: [jwk] })[0]!.kid).toBe(record.kid);
  });

  it("reads the source article's secret shape ({private_key, public_key} only) as RS256 with a derived kid", async () => {
    const { private_key, public_key, kid } = await generateSigningKey('RS256');
    const parsed = parseSigningKeyRecord(JSON.stringify({ private_key, public_key }));
    expect(parsed.alg).toBe('RS256');
    expect((await importSigningKey(parsed)).kid).toBe(kid);
    expect((await publicJwkOf(parsed)).kid).toBe(kid);
  });

  it.each([
    ['not JSON', 'nope', /not JSON/],
    ['no private key', JSON.stringify({ public_key: 'x' }), /private_key missing/],
    ['unknown alg', JSON.stringify({ private_key: 'x', public_key: 'y', alg: 'HS256' }), /alg "HS256"/],
    // Every verifier refuses these kids, so a secret carrying one is never called healthy (blind test, issue 11).
    ['a 200-character kid', JSON.stringify({ private_key: 'x', public_key: 'y', kid: 'k'.repeat(200) }), /kid must be 1-128 printable ASCII/],
    ['a kid with spaces and non-ASCII', JSON.stringify({ private_key: 'x', public_key: 'y', kid: 'café ☃' }), /kid must be 1-128 printable ASCII/],
  ])('a malformed secret (%s) throws ERR_KEY_MALFORMED', (_name, json, message) => {
    expect(() => parseSigningKeyRecord(json)).toThrow(message);
    expect(() => parseSigningKeyRecord(json)).toThrow(expect.objectContaining({ code: 'ERR_KEY_MALFORMED' }));
  });

  it('refuses a key that does not fit its declared algorithm', async () => {
    const es = await generateSigningKey('ES256');
    await expect(importSigningKey({ ...es, alg: 'RS256' })).rejects.toMatchObject({
      code: 'ERR_KEY_MALFORMED',
      message: 'key of type ec cannot be used with RS256',
    });
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const weak = {
      kid: 'weak',
      alg: 'RS256' as const,
      created_at: '',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      public_key: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    };
    await expect(importSigningKey(weak)).rejects.toThrow(/RSA key is 1024 bits; RS256 needs at least 2048/);
  });

  // Issue 11 item 6: each of these used to import (or fail only at signing) and be called healthy.
  it.each([
    [
      'a private key that belongs to another public key',
      async () => {
        const [a, b] = [await generateSigningKey('RS256'), await generateSigningKey('RS256')];
        return { private_key: a.private_key, public_key: b.public_key };
      },
      /private_key does not belong to public_key/,
    ],
    [
      'same kid and alg, other ES256 key pair',
      async () => {
        const [a, b] = [await generateSigningKey('ES256'), await generateSigningKey('ES256')];
        return { ...a, public_key: b.public_key };
      },
      /does not belong/,
    ],
    [
      'an encrypted PKCS#8 private key',
      async () => {
        const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        return {
          private_key: privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' }) as string,
          public_key: publicKey.export({ type: 'spki', format: 'pem' }) as string,
        };
      },
      /private_key is an encrypted PKCS#8 key/,
    ],
    [
      'a private key PEM with literal \\n',
      async () => {
        const a = await generateSigningKey('RS256');
        return { private_key: a.private_key.replaceAll('\n', '\\n'), public_key: a.public_key };
      },
      /private_key holds literal "\\n" sequences/,
    ],
    [
      'a public key PEM with literal \\n',
      async () => {
        const a = await generateSigningKey('RS256');
        return { private_key: a.private_key, public_key: a.public_key.replaceAll('\n', '\\n') };
      },
      /public_key holds literal "\\n" sequences/,
    ],
    [
      'an RSA-1024 pair in the source format',
      async () => {
        const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
        return {
          private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
          public_key: publicKey.export({ type: 'spki', format: 'pem' }) as string,
        };
      },
      /RSA key is 1024 bits/,
    ],
  ])('refuses %s with ERR_KEY_MALFORMED naming the problem', async (_name, make, message) => {
    const record = parseSigningKeyRecord(JSON.stringify(await make()));
    const refused = importSigningKey(record);
    await expect(refused).rejects.toMatchObject({ code: 'ERR_KEY_MALFORMED' });
    await expect(refused).rejects.toThrow(message);
  });

  it('refuses a JWKS entry that carries private material', async () => {
    const record = await generateSigningKey('EdDSA');
    const signing = await importSigningKey(record);
    const privateJwk = { ...signing.privateKey.export({ format: 'jwk' }), kid: record.kid, alg: 'EdDSA', use: 'sig' };
    expect(() => importJwks({ keys: [privateJwk as never] })).toThrow(/private material/);
  });

  it('names secrets per stage', () => {
    expect(signingKeySecretName('prod')).toBe('roomgate/prod/signing-key');
    expect(publicKeysSecretName('dev')).toBe('roomgate/dev/public-keys');
  });
});

describe('jwkThumbprint (RFC 7638, on node:crypto)', () => {
  it('gives the RFC 7638 §3.1 example its published thumbprint', () => {
    const jwk = {
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    };
    expect(jwkThumbprint(jwk)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it.each(ALGORITHMS)('%s: agrees with jose for a fresh key, whatever other members the JWK carries', async (alg) => {
    const { public_key } = await generateSigningKey(alg);
    const jwk = await publicJwkOf({ kid: 'k', alg, public_key });
    expect(jwkThumbprint(jwk)).toBe(await calculateJwkThumbprint(jwk as JWK, 'sha256'));
    expect(jwkThumbprint({ ...jwk, kid: 'other', use: 'enc' })).toBe(jwkThumbprint(jwk));
  });

  it.each([
    [{ kty: 'oct', k: 'c2VjcmV0' }, 'a JWK of kty "oct" has no RFC 7638 thumbprint here (RSA, EC or OKP)'],
    [{ kty: 'toString' }, 'a JWK of kty "toString" has no RFC 7638 thumbprint here (RSA, EC or OKP)'],
    [{ kty: '__proto__' }, 'a JWK of kty "__proto__" has no RFC 7638 thumbprint here (RSA, EC or OKP)'],
    [{ n: 'AQAB', e: 'AQAB' }, 'a JWK of kty null has no RFC 7638 thumbprint here (RSA, EC or OKP)'],
    [{ kty: 'RSA', e: 'AQAB' }, 'the RSA JWK has no "n" member'],
    [{ kty: 'EC', crv: 'P-256', x: 'AA', y: '' }, 'the EC JWK has no "y" member'],
  ])('refuses %j with ERR_KEY_MALFORMED', (jwk, message) => {
    expect(() => jwkThumbprint(jwk as JWK)).toThrow(expect.objectContaining({ code: 'ERR_KEY_MALFORMED', message }));
  });
});
