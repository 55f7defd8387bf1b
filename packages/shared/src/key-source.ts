import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CachedValue } from './cached-value.ts';
import { RoomgateError } from './errors.ts';
import { importJwks, importSigningKey, parseSigningKeyRecord, type Jwks, type SigningKey, type VerificationKey } from './keys.ts';
import { readSecretString } from './secret-reader.ts';
import { systemClock, type Clock, type Logger } from './types.ts';
import type { KeyResolver } from './verifier.ts';

export interface JwksSecretSourceOptions {
  client: SecretsManagerClient;
  /** `roomgate/<stage>/public-keys` */
  secretId: string;
  /** An unknown kid triggers at most one reload per this many seconds (default 30). */
  refreshCooldownSeconds?: number;
  /** Keys are reloaded after this age so a retired key stops verifying (default 300). */
  maxAgeSeconds?: number;
  clock?: Clock;
  logger?: Logger;
}

/**
 * Verification keys from the public-keys secret (a JWKS), parsed once per container. A token
 * with an unknown kid (just rotated in) reloads the set, at most once per cool-down, so a flood
 * of forged kids cannot turn into a flood of Secrets Manager calls.
 */
export function createJwksSecretSource(options: JwksSecretSourceOptions): KeyResolver & { keys(): Promise<VerificationKey[]> } {
  const clock = options.clock ?? systemClock;
  const cooldown = options.refreshCooldownSeconds ?? 30;
  let lastForcedRefresh = Number.NEGATIVE_INFINITY;
  let forcedRefresh: Promise<VerificationKey[]> | undefined;
  const cache = new CachedValue(
    async () => importJwks((await readSecretString(options.client, options.secretId)) as string),
    {
      maxAgeSeconds: options.maxAgeSeconds ?? 300,
      clock,
      onStaleError: (error) => options.logger?.warn('public keys reload failed; serving cached keys', errorFields(error)),
    },
  );

  return {
    keys: () => cache.get(),
    async resolve(kid) {
      const keys = await cache.get();
      if (kid === undefined) return keys;
      const withKid = (set: VerificationKey[]) => set.filter((key) => key.kid === kid);
      const found = withKid(keys);
      if (found.length > 0) return found;
      // Right after a rotation many tokens with the new kid arrive at once: they all wait for the
      // one reload under way, and one that read the cache just before a reload finished reads it
      // again, rather than being refused for the cool-down the first one started.
      if (forcedRefresh === undefined) {
        if (clock() - lastForcedRefresh < cooldown) return withKid(await cache.get());
        lastForcedRefresh = clock();
        forcedRefresh = cache.refresh().finally(() => {
          forcedRefresh = undefined;
        });
      }
      try {
        return withKid(await forcedRefresh);
      } catch (error) {
        options.logger?.warn('public keys refresh for unknown kid failed', errorFields(error));
        return [];
      }
    },
  };
}

export interface SigningKeySourceOptions {
  client: SecretsManagerClient;
  /** `roomgate/<stage>/signing-key` */
  secretId: string;
  /** `roomgate/<stage>/public-keys`, served at /.well-known/jwks.json */
  jwksSecretId?: string;
  /** Reload after this age so a rotation is picked up without a redeploy (default 300). */
  maxAgeSeconds?: number;
  clock?: Clock;
  logger?: Logger;
}

export interface SigningKeySource {
  getSigningKey(): Promise<SigningKey>;
  getJwks(): Promise<Jwks>;
}

/** The token API's keys: the private signing key (imported once) and the public JWKS. */
export function createSigningKeySource(options: SigningKeySourceOptions): SigningKeySource {
  const cacheOptions = {
    maxAgeSeconds: options.maxAgeSeconds ?? 300,
    ...(options.clock && { clock: options.clock }),
    onStaleError: (error: unknown) => options.logger?.warn('key reload failed; serving cached key', errorFields(error)),
  };
  const signingKey = new CachedValue(async () => {
    const record = parseSigningKeyRecord((await readSecretString(options.client, options.secretId)) as string);
    return importSigningKey(record);
  }, cacheOptions);
  const jwks = new CachedValue(async () => {
    if (options.jwksSecretId === undefined) throw new RoomgateError('ERR_KEY_NOT_FOUND', 'no public-keys secret configured');
    const json = (await readSecretString(options.client, options.jwksSecretId)) as string;
    // Parse fully so a malformed JWKS fails here rather than in every verifier that fetches it.
    importJwks(json);
    return JSON.parse(json) as Jwks;
  }, cacheOptions);

  return { getSigningKey: () => signingKey.get(), getJwks: () => jwks.get() };
}

function errorFields(error: unknown): Record<string, unknown> {
  return error instanceof RoomgateError ? { code: error.code, message: error.message } : { message: String(error) };
}
