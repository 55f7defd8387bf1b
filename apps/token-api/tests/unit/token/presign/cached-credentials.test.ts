import { afterEach, describe, expect, it, vi } from 'vitest';
import { cachedCredentials } from '../../../../src/token/presign/cached-credentials.ts';
import { SigningCredentialsUnavailableError } from '../../../../src/token/presign/errors.ts';
import { parseSocketTarget } from '../../../../src/token/presign/socket-target.ts';
import { createSocketUrlPresigner } from '../../../../src/token/presign/socket-url-presigner.ts';
import { parseConfig } from '../../../../src/token/config.ts';
import { createRuntime } from '../../../../src/token/runtime.ts';
import { countingProvider, temporaryCredentials } from '../../../helpers/presign-fixtures.ts';
import { verifyPresignedUrl } from '../../../helpers/presign-sigv4-spec.ts';

const NOW = 1_800_000_000;
const inSeconds = (s: number) => new Date((NOW + s) * 1000);

describe('credentials for presigning', () => {
  it('are resolved once for many presigns, sequential and concurrent, and not at all before the first', async () => {
    const identity = temporaryCredentials(1_200, inSeconds(3600));
    const chain = countingProvider(() => identity);
    const presigner = createSocketUrlPresigner({
      target: parseSocketTarget('wss://abc123defg.execute-api.eu-west-1.amazonaws.com/prod').target!,
      region: 'eu-west-1',
      expiresInSeconds: 10,
      credentials: cachedCredentials(chain, { refreshBeforeSeconds: 300, clock: () => NOW }),
      clock: () => NOW,
    });
    expect(chain.calls).toBe(0);
    await Promise.all(Array.from({ length: 25 }, (_, i) => presigner.presign({ token: `t${i}`, roomId: 'chat-1' })));
    for (let i = 0; i < 25; i += 1) await presigner.presign({ token: `u${i}`, roomId: 'chat-1' });
    expect(chain.calls).toBe(1);
  });

  it('are refreshed once they come within refreshBeforeSeconds of expiry', async () => {
    let now = NOW;
    const chain = countingProvider(() => temporaryCredentials(1_000, new Date((now + 3600) * 1000)));
    const provider = cachedCredentials(chain, { refreshBeforeSeconds: 300, clock: () => now });
    const first = await provider();
    now += 3600 - 301;
    expect(await provider()).toBe(first);
    now += 2;
    const second = await provider();
    expect(second).not.toBe(first);
    expect(chain.calls).toBe(2);
    const n = chain.calls;
    expect(await provider()).toBe(second);
    expect(chain.calls).toBe(n);
  });

  it('long-term keys (no expiration) are kept for the container lifetime', async () => {
    const chain = countingProvider(() => ({ accessKeyId: 'AKIAZ7EXAMPLE4TEST5Q', secretAccessKey: 'x'.repeat(40) }));
    let now = NOW;
    const provider = cachedCredentials(chain, { refreshBeforeSeconds: 300, clock: () => now });
    await provider();
    now += 30 * 86_400;
    await provider();
    expect(chain.calls).toBe(1);
  });

  it('a failure is a retryable domain error and is not cached', async () => {
    let fail = true;
    const chain = countingProvider(() => {
      if (fail) throw Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
      return temporaryCredentials();
    });
    const provider = cachedCredentials(chain, { refreshBeforeSeconds: 300, clock: () => NOW });
    const error = await provider().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SigningCredentialsUnavailableError);
    expect((error as SigningCredentialsUnavailableError).code).toBe('ERR_SIGNING_CREDENTIALS_UNAVAILABLE');
    expect((error as Error).cause).toMatchObject({ name: 'CredentialsProviderError' });
    fail = false;
    await expect(provider()).resolves.toMatchObject({ accessKeyId: 'ASIAZ7EXAMPLE4TEST5Q' });
    expect(chain.calls).toBe(2);
  });

  it('a failed refresh falls back to credentials that have not expired yet', async () => {
    let now = NOW;
    let fail = false;
    const chain = countingProvider(() => {
      if (fail) throw new Error('IMDS timeout');
      return temporaryCredentials(1_000, inSeconds(3600));
    });
    const provider = cachedCredentials(chain, { refreshBeforeSeconds: 300, clock: () => now });
    const first = await provider();
    fail = true;
    now += 3500;
    expect(await provider()).toBe(first);
    now += 200;
    await expect(provider()).rejects.toBeInstanceOf(SigningCredentialsUnavailableError);
  });
});

describe('createRuntime in IAM mode', () => {
  afterEach(() => vi.unstubAllEnvs());

  const env = {
    STAGE: 'prod',
    SOCKET_URL: 'wss://abc123defg.execute-api.eu-west-1.amazonaws.com/prod',
    SOCKET_IAM_AUTH: 'true',
    SOCKET_PRESIGN_EXPIRES: '15',
    LOG_LEVEL: 'silent',
  };

  it('has no presigner when IAM mode is off', () => {
    expect(createRuntime(parseConfig({ ...env, SOCKET_IAM_AUTH: 'false' })).socketUrlPresigner).toBeUndefined();
  });

  it('builds one presigner over the default credential chain (here: the AWS_* environment variables)', async () => {
    const identity = temporaryCredentials(1_100);
    vi.stubEnv('AWS_ACCESS_KEY_ID', identity.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', identity.secretAccessKey);
    vi.stubEnv('AWS_SESSION_TOKEN', identity.sessionToken!);
    const runtime = createRuntime(parseConfig(env));
    expect(runtime.socketUrlPresigner?.describe).toEqual({
      host: 'abc123defg.execute-api.eu-west-1.amazonaws.com',
      path: '/prod',
      region: 'eu-west-1',
      expiresInSeconds: 15,
    });
    const url = await runtime.socketUrlPresigner!.presign({ token: 'eyJ.e30.sig', roomId: 'chat-1' });
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('15');
    expect(new URL(url).searchParams.get('X-Amz-Security-Token')).toBe(identity.sessionToken);
    expect(verifyPresignedUrl(url, { secretAccessKey: identity.secretAccessKey }).valid).toBe(true);
  });
});
