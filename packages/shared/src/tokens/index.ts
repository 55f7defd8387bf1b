export * from './base64url.ts';
export * from './jws-algorithms.ts';
export * from './key-source.ts';
export * from './keys.ts';
export * from './signer.ts';
export * from './types.ts';
export * from './verifier.ts';
export * from './token-kid.ts';
