import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { Clock } from '@roomgate/shared/runtime';
import { SigningCredentialsUnavailableError } from './errors.ts';

export interface CachedCredentialsOptions {
  /**
   * Fetch new credentials this many seconds before the cached ones expire. A presigned URL is
   * only as valid as the session token inside it, so this must be at least the URL lifetime.
   */
  refreshBeforeSeconds: number;
  clock: Clock;
}

/**
 * Resolves credentials once and reuses them until they near expiry. The SDK's default chain
 * memoises too; this layer exists so the refresh margin is tied to the presign lifetime, the
 * clock is injectable, concurrent requests share one refresh, and a failure becomes a domain
 * error (503) instead of an SDK error — without being cached, so the next request retries.
 */
export function cachedCredentials(provider: AwsCredentialIdentityProvider, options: CachedCredentialsOptions): AwsCredentialIdentityProvider {
  let cached: AwsCredentialIdentity | undefined;
  let inFlight: Promise<AwsCredentialIdentity> | undefined;

  const secondsLeft = (identity: AwsCredentialIdentity): number =>
    identity.expiration === undefined ? Number.POSITIVE_INFINITY : identity.expiration.getTime() / 1000 - options.clock();

  const refresh = (): Promise<AwsCredentialIdentity> => {
    inFlight ??= provider()
      .then((identity) => {
        cached = identity;
        return identity;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  return async () => {
    if (cached && secondsLeft(cached) > options.refreshBeforeSeconds) return cached;
    try {
      return await refresh();
    } catch (error) {
      // Credentials that are near expiry but not expired still sign valid (short) URLs.
      if (cached && secondsLeft(cached) > 0) return cached;
      throw new SigningCredentialsUnavailableError({ cause: error });
    }
  };
}
