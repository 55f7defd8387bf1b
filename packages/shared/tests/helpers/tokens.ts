import { createHmac, sign, type KeyObject } from 'node:crypto';
import {
  generateSigningKey,
  importJwks,
  importSigningKey,
  publicJwkOf,
  type SigningKey,
  type SigningKeyRecord,
  type VerificationKey,
} from '../../src/tokens/keys.ts';
import type { SigningAlgorithm } from '../../src/tokens/types.ts';

export interface TestKey {
  record: SigningKeyRecord;
  signing: SigningKey;
  verification: VerificationKey;
}

export async function makeTestKey(alg: SigningAlgorithm): Promise<TestKey> {
  const record = await generateSigningKey(alg);
  const signing = await importSigningKey(record);
  const [verification] = importJwks({ keys: [await publicJwkOf(record)] });
  return { record, signing, verification: verification! };
}

const b64 = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Signs arbitrary header/payload with node:crypto directly, so tests can forge any token. */
export function forgeToken(header: Record<string, unknown>, payload: unknown, privateKey: KeyObject, alg: SigningAlgorithm): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const signature =
    alg === 'RS256'
      ? sign('sha256', Buffer.from(input), privateKey)
      : alg === 'ES256'
        ? sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' })
        : sign(null, Buffer.from(input), privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

/** The classic key-confusion forgery: HS256 with the PEM public key as the HMAC secret. */
export function forgeHs256WithPublicKey(header: Record<string, unknown>, payload: unknown, publicKeyPem: string): string {
  const input = `${b64({ ...header, alg: 'HS256' })}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', publicKeyPem).update(input).digest('base64url')}`;
}

export function unsignedToken(header: Record<string, unknown>, payload: unknown): string {
  return `${b64({ ...header, alg: 'none' })}.${b64(payload)}.`;
}

export { b64 as encodeSegment };
