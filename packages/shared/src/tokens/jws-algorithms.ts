import { sign, verify, type KeyObject, type SignKeyObjectInput, type VerifyKeyObjectInput } from 'node:crypto';
import type { SigningAlgorithm } from './types.ts';

/**
 * JWS algorithms mapped onto node:crypto's one-shot sign/verify. These run synchronously on the
 * calling thread; WebCrypto (jose's path) queues each operation on the libuv pool and costs
 * more per token than the signature itself for ES256/EdDSA. See docs/benchmarks.md.
 */
interface JwsAlgorithm {
  digest: string | null;
  /** exact signature length in bytes when fixed (ES256: r||s, EdDSA), else undefined */
  signatureLength?: number;
  keyInput(key: KeyObject): KeyObject | SignKeyObjectInput | VerifyKeyObjectInput;
}

const ALGORITHMS: Record<SigningAlgorithm, JwsAlgorithm> = {
  RS256: { digest: 'sha256', keyInput: (key) => key },
  ES256: { digest: 'sha256', signatureLength: 64, keyInput: (key) => ({ key, dsaEncoding: 'ieee-p1363' }) },
  EdDSA: { digest: null, signatureLength: 64, keyInput: (key) => key },
};

export function signJws(alg: SigningAlgorithm, signingInput: string, privateKey: KeyObject): Buffer {
  const spec = ALGORITHMS[alg];
  return sign(spec.digest, Buffer.from(signingInput), spec.keyInput(privateKey) as SignKeyObjectInput);
}

export function verifyJws(alg: SigningAlgorithm, signingInput: string, signature: Buffer, publicKey: KeyObject): boolean {
  const spec = ALGORITHMS[alg];
  if (spec.signatureLength !== undefined && signature.length !== spec.signatureLength) return false;
  try {
    return verify(spec.digest, Buffer.from(signingInput), spec.keyInput(publicKey) as VerifyKeyObjectInput, signature);
  } catch {
    return false;
  }
}
