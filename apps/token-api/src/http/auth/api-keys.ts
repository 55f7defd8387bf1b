import { createHash, timingSafeEqual } from 'node:crypto';
import { KeyMalformedError } from '@roomgate/shared/errors';
import { parseRoomPattern, roomPatternProblem, type RoomPattern } from '@roomgate/shared/auth';

/**
 * API keys for callers outside AWS and for local development. The secret
 * `roomgate/<stage>/api-keys` holds only SHA-256 hashes:
 *
 *     {"keys": [{"id": "chat-backend", "sha256": "<64 hex chars>", "rooms": ["chat-*"]}]}
 *
 * A key is a high-entropy random string (see `newApiKey`), so a plain SHA-256 is enough: there is
 * nothing to brute-force that a slow password hash would protect.
 */
export interface ApiKeyEntry {
  id: string;
  sha256: Buffer;
  rooms: readonly RoomPattern[];
}

/** Presented keys outside these bounds are refused before hashing. */
export const API_KEY_MIN_LENGTH = 16;
export const API_KEY_MAX_LENGTH = 256;
const PRESENTABLE = /^[\x21-\x7e]+$/;
const HEX_SHA256 = /^[0-9a-f]{64}$/i;
const KEY_ID = /^[A-Za-z0-9_.:@-]{1,128}$/;

// Minting and hashing moved to @roomgate/shared so the dev tooling writes keys the same way.
export { hashApiKey, newApiKey } from '@roomgate/shared/auth';

/** Parses the api-keys secret. Throws KeyMalformedError naming the first bad entry (never a hash). */
export function parseApiKeysSecret(json: string): ApiKeyEntry[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (cause) {
    throw new KeyMalformedError('api-keys secret is not JSON', { cause });
  }
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new KeyMalformedError('api-keys secret has no "keys" array');
  const ids = new Set<string>();
  const hashes = new Set<string>();
  return keys.map((raw: unknown, index) => {
    const entry = (raw ?? {}) as { id?: unknown; sha256?: unknown; rooms?: unknown };
    const where = typeof entry.id === 'string' ? `api key ${JSON.stringify(entry.id)}` : `api key #${index}`;
    if (typeof entry.id !== 'string' || !KEY_ID.test(entry.id)) throw new KeyMalformedError(`${where}: id must match ${KEY_ID.source}`);
    if (ids.has(entry.id)) throw new KeyMalformedError(`${where}: duplicate id`);
    if (typeof entry.sha256 !== 'string' || !HEX_SHA256.test(entry.sha256)) throw new KeyMalformedError(`${where}: sha256 must be 64 hex chars`);
    if (hashes.has(entry.sha256.toLowerCase())) throw new KeyMalformedError(`${where}: same hash as an earlier key`);
    if (!Array.isArray(entry.rooms) || entry.rooms.length === 0) throw new KeyMalformedError(`${where}: rooms must be a non-empty array`);
    const problem = entry.rooms.map(roomPatternProblem).find((p) => p !== undefined);
    if (problem !== undefined) throw new KeyMalformedError(`${where}: ${problem}`);
    ids.add(entry.id);
    hashes.add(entry.sha256.toLowerCase());
    return { id: entry.id, sha256: Buffer.from(entry.sha256, 'hex'), rooms: (entry.rooms as string[]).map(parseRoomPattern) };
  });
}

/**
 * Finds the entry whose hash matches the presented key. Compares against every entry with
 * `timingSafeEqual` and does not stop at the first match, so timing says nothing about which
 * (or whether an) entry matched.
 */
export function findApiKey(entries: readonly ApiKeyEntry[], presented: string): ApiKeyEntry | undefined {
  if (presented.length < API_KEY_MIN_LENGTH || presented.length > API_KEY_MAX_LENGTH || !PRESENTABLE.test(presented)) return undefined;
  const digest = createHash('sha256').update(presented, 'utf8').digest();
  let found: ApiKeyEntry | undefined;
  for (const entry of entries) {
    if (timingSafeEqual(entry.sha256, digest) && found === undefined) found = entry;
  }
  return found;
}
