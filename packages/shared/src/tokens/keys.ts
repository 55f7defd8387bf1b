import { createHash, createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { exportJWK, exportPKCS8, exportSPKI, generateKeyPair, type JWK } from 'jose';
import { KeyMalformedError } from '../errors.ts';
import { ALGORITHMS, KID_PATTERN, type SigningAlgorithm } from './types.ts';

/**
 * The JSON stored in `roomgate/<stage>/signing-key`. Field names follow the source article
 * (`private_key`, `public_key`, PEM: PKCS#8 and SPKI) so its backends can read the same secret.
 */
export interface SigningKeyRecord {
  kid: string;
  alg: SigningAlgorithm;
  private_key: string;
  public_key: string;
  created_at: string;
}

/** A public JWK as published in `roomgate/<stage>/public-keys` and at `/.well-known/jwks.json`. */
export type PublicJwk = JWK & { kid: string; alg: SigningAlgorithm; use: 'sig' };

export interface Jwks {
  keys: PublicJwk[];
}

/** A key ready for signing: parsed once per container, reused for every token. */
export interface SigningKey {
  kid: string;
  alg: SigningAlgorithm;
  privateKey: KeyObject;
}

/** A key ready for verification. */
export interface VerificationKey {
  kid: string;
  alg: SigningAlgorithm;
  publicKey: KeyObject;
}

export const signingKeySecretName = (stage: string): string => `roomgate/${stage}/signing-key`;
export const publicKeysSecretName = (stage: string): string => `roomgate/${stage}/public-keys`;

export function isSigningAlgorithm(value: unknown): value is SigningAlgorithm {
  return typeof value === 'string' && (ALGORITHMS as readonly string[]).includes(value);
}

/** Generates a fresh key pair; `kid` is the RFC 7638 thumbprint of the public JWK. */
export async function generateSigningKey(alg: SigningAlgorithm = 'RS256', now: Date = new Date()): Promise<SigningKeyRecord> {
  const options = alg === 'RS256' ? { modulusLength: 2048, extractable: true } : { extractable: true };
  const { publicKey, privateKey } = await generateKeyPair(alg, options);
  const jwk = await exportJWK(publicKey);
  return {
    kid: jwkThumbprint(jwk),
    alg,
    private_key: await exportPKCS8(privateKey),
    public_key: await exportSPKI(publicKey),
    created_at: now.toISOString(),
  };
}

/** Parses the signing-key secret's JSON. Throws KeyMalformedError naming what is wrong. */
export function parseSigningKeyRecord(json: string): SigningKeyRecord {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (cause) {
    throw new KeyMalformedError('signing-key secret is not JSON', { cause });
  }
  if (typeof value !== 'object' || value === null) throw new KeyMalformedError('signing-key secret is not an object');
  const record = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof record.private_key !== 'string') problems.push('private_key missing');
  if (typeof record.public_key !== 'string') problems.push('public_key missing');
  // The source article's secret has only the two PEMs; default alg and derive kid for it.
  const alg = record.alg ?? 'RS256';
  if (!isSigningAlgorithm(alg)) problems.push(`alg ${JSON.stringify(alg)} not one of ${ALGORITHMS.join(', ')}`);
  if (record.kid !== undefined && (typeof record.kid !== 'string' || !KID_PATTERN.test(record.kid))) {
    problems.push('kid must be 1-128 printable ASCII characters without spaces (verifiers refuse any other kid)');
  }
  if (problems.length > 0) throw new KeyMalformedError(`signing-key secret: ${problems.join(', ')}`);
  return {
    kid: (record.kid as string | undefined) ?? '',
    alg: alg as SigningAlgorithm,
    private_key: record.private_key as string,
    public_key: record.public_key as string,
    created_at: typeof record.created_at === 'string' ? record.created_at : '',
  };
}

/** A signing key whose two halves were checked against each other, with the JWK to publish. */
export interface CheckedSigningKey extends SigningKey {
  /** The public half as published in the JWKS; its `kid` is the key's `kid`. */
  publicJwk: PublicJwk;
}

/**
 * Imports a signing-key record once and checks it as a whole, so a record that cannot sign
 * tokens its own JWK verifies is refused here rather than at every `$connect`:
 * - `private_key` and `public_key` are PEMs that import (an encrypted PKCS#8 key or a PEM with
 *   literal `\n` sequences is named as such);
 * - the key fits `alg` (RSA of at least 2048 bits for RS256, RFC 7518 §3.3; P-256 for ES256;
 *   Ed25519 for EdDSA);
 * - the private key belongs to the public key (same RFC 7638 thumbprint).
 * `kid` is the record's, else the thumbprint. Throws KeyMalformedError naming the problem.
 */
export async function importSigningKey(record: SigningKeyRecord): Promise<CheckedSigningKey> {
  const privateKey = importPem('private_key', record.private_key, createPrivateKey);
  assertKeyFitsAlg(privateKey, record.alg);
  const publicJwk = await publicJwkOf(record);
  const fromPrivate = jwkThumbprint(createPublicKey(privateKey).export({ format: 'jwk' }) as JWK);
  if (fromPrivate !== jwkThumbprint(publicJwk)) {
    throw new KeyMalformedError('private_key does not belong to public_key: tokens it signs would not verify with the published key');
  }
  return { kid: publicJwk.kid, alg: record.alg, privateKey, publicJwk };
}

/** Imports one PEM field, naming the two mistakes a hand-made secret usually carries. */
function importPem(field: 'private_key' | 'public_key', pem: string, create: (pem: string) => KeyObject): KeyObject {
  if (pem.includes('ENCRYPTED PRIVATE KEY')) {
    throw new KeyMalformedError(`${field} is an encrypted PKCS#8 key; store it unencrypted (Secrets Manager already encrypts the secret with KMS)`);
  }
  if (!pem.includes('\n') && pem.includes('\\n')) {
    throw new KeyMalformedError(`${field} holds literal "\\n" sequences instead of line breaks; store the PEM with real newlines`);
  }
  try {
    return create(pem);
  } catch (cause) {
    throw new KeyMalformedError(`${field} is not a PEM ${field === 'private_key' ? 'private' : 'public'} key`, { cause });
  }
}

/** Public JWK for a record, with `kid`, `alg` and `use` set. */
export async function publicJwkOf(record: Pick<SigningKeyRecord, 'kid' | 'alg' | 'public_key'>): Promise<PublicJwk> {
  const publicKey = importPem('public_key', record.public_key, createPublicKey);
  assertKeyFitsAlg(publicKey, record.alg);
  const jwk = publicKey.export({ format: 'jwk' }) as JWK;
  const kid = record.kid || jwkThumbprint(jwk);
  return { ...jwk, kid, alg: record.alg, use: 'sig' };
}

/** Parses a JWKS (the public-keys secret) into verification keys; unknown or bad entries throw. */
export function importJwks(json: string | Jwks): VerificationKey[] {
  let value: unknown = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (cause) {
      throw new KeyMalformedError('public-keys secret is not JSON', { cause });
    }
  }
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new KeyMalformedError('public-keys secret has no "keys" array');
  return keys.map((entry: unknown, index) => {
    const jwk = entry as Partial<PublicJwk> | null;
    if (!jwk || typeof jwk.kid !== 'string' || !KID_PATTERN.test(jwk.kid)) throw new KeyMalformedError(`public key #${index} has no valid kid`);
    if (!isSigningAlgorithm(jwk.alg)) throw new KeyMalformedError(`public key ${jwk.kid} has no supported alg`);
    if ('d' in jwk) throw new KeyMalformedError(`public key ${jwk.kid} contains private material`);
    let publicKey: KeyObject;
    try {
      publicKey = createPublicKey({ key: jwk as JsonWebKeyInput['key'], format: 'jwk' });
    } catch (cause) {
      throw new KeyMalformedError(`public key ${jwk.kid} cannot be imported`, { cause });
    }
    assertKeyFitsAlg(publicKey, jwk.alg);
    return { kid: jwk.kid, alg: jwk.alg, publicKey };
  });
}

type JsonWebKeyInput = Extract<Parameters<typeof createPublicKey>[0], { format: 'jwk' }>;

/** Smallest RSA modulus accepted for RS256, in bits (RFC 7518 §3.3: 2048 or larger MUST be used). */
const MIN_RSA_BITS = 2048;

/**
 * Pins each algorithm to exactly one key type, so a key can never be used with another alg.
 * Throws KeyMalformedError naming the problem: the wrong type, or an RSA key that is too short.
 */
export function assertKeyFitsAlg(key: KeyObject, alg: SigningAlgorithm): void {
  const type = key.asymmetricKeyType;
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (alg === 'RS256' && type === 'rsa' && (bits ?? 0) < MIN_RSA_BITS) {
    throw new KeyMalformedError(`RSA key is ${bits ?? 'of unknown'} bits; RS256 needs at least ${MIN_RSA_BITS} (RFC 7518 §3.3)`);
  }
  const ok =
    (alg === 'RS256' && type === 'rsa') ||
    (alg === 'ES256' && type === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') ||
    (alg === 'EdDSA' && type === 'ed25519');
  if (!ok) throw new KeyMalformedError(`key of type ${type ?? 'unknown'} cannot be used with ${alg}`);
}

/** The members RFC 7638 §3.2 hashes for each key type roomgate signs with, in lexicographic order. */
const THUMBPRINT_MEMBERS: Record<string, readonly string[]> = { RSA: ['e', 'kty', 'n'], EC: ['crv', 'kty', 'x', 'y'], OKP: ['crv', 'kty', 'x'] };

/**
 * The RFC 7638 thumbprint of a public JWK: SHA-256 over the JSON of its required members in
 * lexicographic order with no whitespace, base64url-encoded (43 characters). roomgate's default
 * `kid`, and how a private key is matched to its published public key.
 *
 * On `node:crypto` rather than jose's `calculateJwkThumbprint`, which hashes through WebCrypto:
 * the token function computes two at every cold start, and WebCrypto's first use cost ~1.6 ms of
 * it (docs/benchmarks.md, cold start, fifth pass). `keys.test.ts` checks both agree.
 * Throws KeyMalformedError for a key type other than RSA, EC or OKP, or a missing member.
 */
export function jwkThumbprint(jwk: JWK): string {
  const members = typeof jwk.kty === 'string' && Object.hasOwn(THUMBPRINT_MEMBERS, jwk.kty) ? THUMBPRINT_MEMBERS[jwk.kty] : undefined;
  if (!members) throw new KeyMalformedError(`a JWK of kty ${JSON.stringify(jwk.kty ?? null)} has no RFC 7638 thumbprint here (RSA, EC or OKP)`);
  const required: Record<string, string> = {};
  for (const name of members) {
    const value = (jwk as Record<string, unknown>)[name];
    if (typeof value !== 'string' || value === '') throw new KeyMalformedError(`the ${jwk.kty} JWK has no "${name}" member`);
    required[name] = value;
  }
  return createHash('sha256').update(JSON.stringify(required)).digest('base64url');
}

export const newTokenId = (): string => randomUUID();
