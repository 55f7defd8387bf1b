import { createHash } from 'node:crypto';

// A compact JWS (RFC 7515 §7.1): three base64url parts, the header a JSON object ("eyJ" = '{"').
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
// roomgate API keys: `rgk_` + 32 random bytes in base64url (packages/shared/src/auth/api-keys.ts).
const API_KEY = /\brgk_[A-Za-z0-9_-]{16,}/g;
// PEM private keys of any kind (RFC 7468): the whole block, or what is left of it.
const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g;
// A SigV4-presigned URL's signature (and credential) in its query: the URL is a bearer credential.
const PRESIGNED = /([?&])(X-Amz-(Signature|Credential|Security-Token))=[^&\s"]*/gi;
const MAX_DEPTH = 4;

/**
 * Replaces credentials inside a log value: a JWT becomes its fingerprint (`[jwt sha256:…]`, the
 * same tag `tokenFingerprint` gives), an API key or a PEM private key `[redacted]`, a presigned
 * URL keeps host and path but loses its signature. A backstop behind the rule that callers log
 * fingerprints only (docs/security.md, Logs); strings, arrays and plain objects are walked
 * `MAX_DEPTH` deep, anything else is returned as it is.
 */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactString(value);
  if (depth >= MAX_DEPTH || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = redactSecrets(item, depth + 1);
  return out;
}

function redactString(text: string): string {
  // Cheap pre-check: most lines hold none of the four markers.
  if (!/eyJ|rgk_|PRIVATE KEY|X-Amz-/i.test(text)) return text;
  return text
    .replace(JWT, (jwt) => `[jwt sha256:${createHash('sha256').update(jwt).digest('hex').slice(0, 12)}]`)
    .replace(API_KEY, '[redacted api key]')
    .replace(PRIVATE_KEY, '[redacted private key]')
    .replace(PRESIGNED, '$1$2=[redacted]');
}
