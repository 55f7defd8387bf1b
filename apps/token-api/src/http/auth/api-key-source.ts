import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CachedValue, countLoadFailure, readSecretString, type ClientRef, type Clock, type Logger, type Metrics } from '@roomgate/shared/runtime';
import { parseApiKeysSecret, type ApiKeyEntry } from './api-keys.ts';

export interface ApiKeySource {
  /** The current entries; throws ERR_KEY_UNAVAILABLE / ERR_KEY_NOT_FOUND / ERR_KEY_MALFORMED. */
  getKeys(): Promise<readonly ApiKeyEntry[]>;
}

export interface ApiKeySourceOptions {
  /** A client, or one built on the first API-key request (the Rooms function passes a LazyClient). */
  client: ClientRef<SecretsManagerClient>;
  /** `roomgate/<stage>/api-keys` */
  secretId: string;
  /** Reloaded after this age so a revoked key stops working without a redeploy (default 300). */
  maxAgeSeconds?: number;
  clock?: Clock;
  logger?: Logger;
  /** Counts `KeyLoadFailures` (key `api-keys`) and the throttles among them. */
  metrics?: Metrics;
}

/** Loads the api-keys secret once per container; a failed load is not cached. */
export function createApiKeySource(options: ApiKeySourceOptions): ApiKeySource {
  const cache = new CachedValue(async () => parseApiKeysSecret((await readSecretString(options.client, options.secretId)) as string), {
    maxAgeSeconds: options.maxAgeSeconds ?? 300,
    ...(options.clock && { clock: options.clock }),
    onStaleError: (error) => options.logger?.warn('api-keys reload failed; serving cached keys', { error }),
    onLoadError: (error) => countLoadFailure(options.metrics, 'api-keys', error),
  });
  return { getKeys: () => cache.get() };
}

/** A fixed set of entries, for tests and for `server.ts` runs without Secrets Manager. */
export function staticApiKeys(entries: readonly ApiKeyEntry[]): ApiKeySource {
  return { getKeys: () => Promise.resolve(entries) };
}
