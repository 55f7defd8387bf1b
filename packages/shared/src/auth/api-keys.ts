import { createHash, randomBytes } from 'node:crypto';

/**
 * API keys for callers outside AWS and for local development. Minting lives here, next to the
 * hash, because two sides need the same definition: the token API checks presented keys against
 * `roomgate/<stage>/api-keys`, and the dev tooling (`pnpm keys api-key`, `pnpm dev`) writes that
 * secret. The secret holds only hashes:
 *
 *     {"keys": [{"id": "chat-backend", "sha256": "<64 hex chars>", "rooms": ["chat-*"]}]}
 *
 * A key is a high-entropy random string, so a plain SHA-256 is enough: there is nothing to
 * brute-force that a slow password hash would protect.
 */
export interface StoredApiKey {
  id: string;
  /** hex SHA-256 of the key's UTF-8 bytes */
  sha256: string;
  /** room patterns: `*`, `prefix*` or an exact room id */
  rooms: string[];
}

export interface ApiKeysDocument {
  keys: StoredApiKey[];
}

/** Ids name a caller in logs and in `pnpm keys api-key revoke`. */
export const API_KEY_ID_PATTERN = /^[A-Za-z0-9_.:@-]{1,128}$/;

export const apiKeysSecretName = (stage: string): string => `roomgate/${stage}/api-keys`;

/** A fresh key: 32 random bytes, prefixed so it is recognisable in a secret scanner. */
export const newApiKey = (): string => `rgk_${randomBytes(32).toString('base64url')}`;

export const hashApiKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');
