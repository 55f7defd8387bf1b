import {
  generateSigningKey,
  importSigningKey,
  publicJwkOf,
  type Jwks,
  type PublicJwk,
  type SigningKey,
  type SigningKeyRecord,
  type SigningKeySource,
  type SigningAlgorithm,
} from '@roomgate/shared/tokens';
import { KeyUnavailableError } from '@roomgate/shared/errors';
import { buildApp, type AppDeps } from '../../src/token/app.ts';
import { hashApiKey, parseApiKeysSecret } from '../../src/http/auth/api-keys.ts';
import { staticApiKeys } from '../../src/http/auth/api-key-source.ts';
import { parseIamCallers } from '../../src/http/auth/iam-callers.ts';
import type { AppConfig } from '../../src/token/config.ts';

export const NOW = 1_800_000_000;
export const clock = (): number => NOW;
export const ISSUER = 'https://tokens.roomgate.test';
export const AUDIENCE = 'roomgate-socket';
export const SOCKET_URL = 'wss://abc123.execute-api.eu-west-1.amazonaws.com/test';

export const CHAT_ROLE = 'arn:aws:iam::123456789012:role/chat-backend';
export const CHAT_KEY = 'rgk_chat_backend_test_key_0123456789abcdef';
export const LOBBY_KEY = 'rgk_lobby_only_test_key_0123456789abcdef';
/** Scoped to every room (`*`), like the dev API key: may revoke without naming a room. */
export const EVERY_ROOM_KEY = 'rgk_every_room_test_key_0123456789abcdef';

export const apiKeysSecret = (): string =>
  JSON.stringify({
    keys: [
      { id: 'chat-backend', sha256: hashApiKey(CHAT_KEY), rooms: ['chat-*'] },
      { id: 'lobby', sha256: hashApiKey(LOBBY_KEY), rooms: ['lobby'] },
      { id: 'every-room', sha256: hashApiKey(EVERY_ROOM_KEY), rooms: ['*'] },
    ],
  });

export function testConfig(over: Partial<AppConfig> = {}): AppConfig {
  return {
    issuer: ISSUER,
    audience: AUDIENCE,
    defaultTtlSeconds: 300,
    maxTtlSeconds: 3600,
    socketUrl: SOCKET_URL,
    tokenInQuery: false,
    iamCallers: parseIamCallers({ [CHAT_ROLE]: ['chat-*', 'lobby'] }),
    jwksMaxAgeSeconds: 300,
    logLevel: 'silent',
    ...over,
  };
}

export interface TestKey {
  record: SigningKeyRecord;
  signing: SigningKey;
  jwk: PublicJwk;
}

export async function makeTestKey(alg: SigningAlgorithm): Promise<TestKey> {
  const record = await generateSigningKey(alg);
  return { record, signing: await importSigningKey(record), jwk: await publicJwkOf(record) };
}

/** A key source over fixed keys; `fail` switches it to the outage a real source reports. */
export function fakeKeySource(key: TestKey): SigningKeySource & { fail: boolean; fault?: unknown } {
  const source = {
    fail: false,
    fault: undefined as unknown,
    getSigningKey: async (): Promise<SigningKey> => {
      if (source.fault !== undefined) throw source.fault;
      if (source.fail)
        throw new KeyUnavailableError('secret roomgate/test/signing-key could not be read', { cause: new Error('connect ECONNREFUSED 127.0.0.1:4566') });
      return key.signing;
    },
    getJwks: async (): Promise<Jwks> => {
      if (source.fail) throw new KeyUnavailableError('secret roomgate/test/public-keys could not be read');
      return { keys: [key.jwk] };
    },
  };
  return source;
}

export function testApp(key: TestKey, over: Partial<AppDeps> = {}) {
  const keys = fakeKeySource(key);
  const app = buildApp({
    config: testConfig(),
    keys,
    apiKeys: staticApiKeys(parseApiKeysSecret(apiKeysSecret())),
    clock,
    ...over,
  });
  return { app, keys };
}

/** Decodes a JWS segment without verifying (tests only). */
export const decodeSegment = (segment: string | undefined): Record<string, unknown> =>
  JSON.parse(Buffer.from(segment ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
