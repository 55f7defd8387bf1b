import { createPublicKey } from 'node:crypto';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ClientRef } from '../runtime/lazy-client.ts';
import { CachedValue } from '../runtime/cached-value.ts';
import { KeyMalformedError } from '../errors.ts';
import { importJwks, importSigningKey, parseSigningKeyRecord, type Jwks, type SigningKey, type VerificationKey } from './keys.ts';
import { readSecretString } from '../runtime/secret-reader.ts';
import { systemClock, type Clock } from '../runtime/clock.ts';
import type { Logger } from '../runtime/logger.ts';
import { countLoadFailure, type Metrics } from '../runtime/metrics.ts';
import type { KeyResolver } from './verifier.ts';

export interface JwksSecretSourceOptions {
  /** A client, or one built on the first read (runtime/lazy-client.ts). */
  client: ClientRef<SecretsManagerClient>;
  /** `roomgate/<stage>/public-keys` */
  secretId: string;
  /** An unknown kid triggers at most one reload per this many seconds (default 30). */
  refreshCooldownSeconds?: number;
  /** Keys are reloaded after this age so a retired key stops verifying (default 300). */
  maxAgeSeconds?: number;
  clock?: Clock;
  logger?: Logger;
  /** Counts `KeyLoadFailures` (key `public-keys`) and the throttles among them. */
  metrics?: Metrics;
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
  const cache = new CachedValue(async () => importJwks((await readSecretString(options.client, options.secretId)) as string), {
    maxAgeSeconds: options.maxAgeSeconds ?? 300,
    clock,
    onStaleError: (error) => options.logger?.warn('public keys reload failed; serving cached keys', { error }),
    onLoadError: (error) => countLoadFailure(options.metrics, 'public-keys', error),
  });

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
        options.logger?.warn('public keys refresh for unknown kid failed', { error });
        return [];
      }
    },
  };
}

export interface SigningKeySourceOptions {
  /** A client, or one built on the first read (runtime/lazy-client.ts). */
  client: ClientRef<SecretsManagerClient>;
  /** `roomgate/<stage>/signing-key` */
  secretId: string;
  /** `roomgate/<stage>/public-keys`: the signer only signs with a key this JWKS lists. */
  jwksSecretId: string;
  /** Reload after this age (seconds) so a rotation is picked up without a redeploy (default 300). */
  maxAgeSeconds?: number;
  clock?: Clock;
  logger?: Logger;
  /** Counts `KeyLoadFailures` (key `signing-key`) and the throttles among them. */
  metrics?: Metrics;
}

export interface SigningKeySource {
  /** The key to sign with: always one that `getJwks()` of the same snapshot lists. */
  getSigningKey(): Promise<SigningKey>;
  getJwks(): Promise<Jwks>;
}

interface KeySnapshot {
  signingKey: SigningKey;
  jwks: Jwks;
}

/**
 * The token API's keys, loaded as ONE snapshot: the JWKS and the signing key are read together,
 * cached together (`maxAgeSeconds`) and served together, so the token API never signs with a kid
 * its own `/.well-known/jwks.json` does not list.
 *
 * The signing key is AWSCURRENT once the JWKS publishes it with the same key material
 * (`pnpm keys rotate` publishes first, then moves AWSCURRENT; a read between the two sees the new
 * key unpublished). Until then it is AWSPREVIOUS if that one is published, so a container keeps
 * signing verifiable tokens through a rotation. With neither published the load fails with
 * ERR_KEY_MALFORMED (an operator must publish the key), never signing tokens nobody accepts. Each
 * record is checked whole by importSigningKey (import, pair match, size) before it is used.
 */
export function createSigningKeySource(options: SigningKeySourceOptions): SigningKeySource {
  const snapshot = new CachedValue(() => loadSnapshot(options), {
    maxAgeSeconds: options.maxAgeSeconds ?? 300,
    ...(options.clock && { clock: options.clock }),
    onStaleError: (error: unknown) => options.logger?.warn('key reload failed; serving cached keys', { error }),
    onLoadError: (error: unknown) => countLoadFailure(options.metrics, 'signing-key', error),
  });
  return {
    getSigningKey: async () => (await snapshot.get()).signingKey,
    getJwks: async () => (await snapshot.get()).jwks,
  };
}

async function loadSnapshot(options: SigningKeySourceOptions): Promise<KeySnapshot> {
  const [jwksJson, currentJson] = await Promise.all([
    readSecretString(options.client, options.jwksSecretId) as Promise<string>,
    readSecretString(options.client, options.secretId) as Promise<string>,
  ]);
  // Parsed fully so a malformed JWKS fails here rather than in every verifier that fetches it.
  const published = importJwks(jwksJson);
  const jwks = JSON.parse(jwksJson) as Jwks;
  const current = await importSigningKey(parseSigningKeyRecord(currentJson));
  if (isSigningKeyPublished(current, published)) return { signingKey: current, jwks };

  const previousJson = await readSecretString(options.client, options.secretId, 'AWSPREVIOUS');
  const previous = previousJson === undefined ? undefined : await importSigningKey(parseSigningKeyRecord(previousJson)).catch(() => undefined);
  if (previous !== undefined && isSigningKeyPublished(previous, published)) {
    options.logger?.warn('current signing key is not published yet; signing with the previous key', { kid: current.kid, signingKid: previous.kid });
    return { signingKey: previous, jwks };
  }
  throw new KeyMalformedError(
    `signing key ${current.kid} is not published in ${options.jwksSecretId}; publish it (pnpm keys create --if-missing) before it signs`,
  );
}

/**
 * Whether `key` is listed in the published JWKS (`importJwks` of the public-keys secret) under its
 * kid, for its alg, with the same public key: only then does a token it signs verify at `$connect`.
 */
export function isSigningKeyPublished(key: SigningKey, published: VerificationKey[]): boolean {
  const publicKey = createPublicKey(key.privateKey);
  return published.some((entry) => entry.kid === key.kid && entry.alg === key.alg && entry.publicKey.equals(publicKey));
}
