const BASE64URL = /^[A-Za-z0-9_-]*$/;

export function encodeBase64url(input: string | Buffer): string {
  return Buffer.from(input).toString('base64url');
}

/**
 * Strict decoding: Node's decoder silently skips characters outside the alphabet, which would let
 * a tampered segment decode to the same bytes. Returns undefined for anything not canonical.
 */
export function decodeBase64url(input: string): Buffer | undefined {
  if (!BASE64URL.test(input) || input.length % 4 === 1) return undefined;
  const bytes = Buffer.from(input, 'base64url');
  return bytes.toString('base64url') === input ? bytes : undefined;
}
