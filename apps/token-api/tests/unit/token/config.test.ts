import { describe, expect, it } from 'vitest';
import { ConfigError } from '@roomgate/shared/errors';
import { parseConfig } from '../../../src/token/config.ts';

const minimal = { STAGE: 'dev', SOCKET_URL: 'wss://ws.example.com/dev' };

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
};

describe('parseConfig', () => {
  it('fills defaults from STAGE', () => {
    const config = parseConfig(minimal);
    expect(config).toMatchObject({
      stage: 'dev',
      signingKeySecretId: 'roomgate/dev/signing-key',
      publicKeysSecretId: 'roomgate/dev/public-keys',
      apiKeysSecretId: 'roomgate/dev/api-keys',
      issuer: 'roomgate',
      audience: 'roomgate-socket',
      defaultTtlSeconds: 300,
      maxTtlSeconds: 3600,
      socketUrl: 'wss://ws.example.com/dev',
      tokenInQuery: false,
      jwksMaxAgeSeconds: 300,
      secretsMaxAgeSeconds: 300,
      secretsEndpoint: undefined,
      offline: false,
      callerAuth: 'iam',
      logLevel: 'info',
    });
    expect(config.iamCallers.size).toBe(0);
  });

  it('CALLER_AUTH is iam or api-key; iam cannot run under serverless-offline (no IAM there)', () => {
    expect(parseConfig({ ...minimal, CALLER_AUTH: 'api-key' }).callerAuth).toBe('api-key');
    expect(problemsOf({ ...minimal, CALLER_AUTH: 'none' })).toEqual([expect.stringMatching(/^CALLER_AUTH must be one of iam, api-key/)]);
    expect(problemsOf({ ...minimal, IS_OFFLINE: 'true' })).toEqual([expect.stringMatching(/CALLER_AUTH=iam cannot run under serverless-offline/)]);
  });

  it('reads every variable', () => {
    const config = parseConfig({
      ...minimal,
      SIGNING_KEY_SECRET_ID: 'a',
      PUBLIC_KEYS_SECRET_ID: 'b',
      API_KEYS_SECRET_ID: 'c',
      TOKEN_ISSUER: 'https://tokens.example.com',
      TOKEN_AUDIENCE: 'chat',
      TOKEN_DEFAULT_TTL: '60',
      TOKEN_MAX_TTL: '600',
      SOCKET_URL_TOKEN_IN_QUERY: 'true',
      IAM_CALLERS: JSON.stringify({ 'arn:aws:iam::123456789012:role/svc/chat': ['chat-*'] }),
      JWKS_MAX_AGE: '60',
      SECRETS_MAX_AGE: '30',
      SECRETS_ENDPOINT: 'http://127.0.0.1:4566',
      IS_OFFLINE: 'true',
      CALLER_AUTH: 'api-key',
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      signingKeySecretId: 'a',
      publicKeysSecretId: 'b',
      apiKeysSecretId: 'c',
      issuer: 'https://tokens.example.com',
      audience: 'chat',
      defaultTtlSeconds: 60,
      maxTtlSeconds: 600,
      tokenInQuery: true,
      jwksMaxAgeSeconds: 60,
      secretsMaxAgeSeconds: 30,
      secretsEndpoint: 'http://127.0.0.1:4566',
      offline: true,
      callerAuth: 'api-key',
      logLevel: 'debug',
    });
    expect([...config.iamCallers.keys()]).toEqual(['arn:aws:iam::123456789012:role/chat']);
  });

  it('names every bad variable at once', () => {
    const problems = problemsOf({
      STAGE: 'Prod!',
      SOCKET_URL: 'https://not-a-socket.example.com',
      TOKEN_MAX_TTL: 'ten',
      TOKEN_DEFAULT_TTL: '0',
      IAM_CALLERS: '{"arn:aws:iam::123456789012:role/x": ["a*b"]}',
      SECRETS_ENDPOINT: 'not a url',
      LOG_LEVEL: 'loud',
      SOCKET_URL_TOKEN_IN_QUERY: 'maybe',
    });
    const text = problems.join('\n');
    for (const name of [
      'STAGE',
      'SOCKET_URL',
      'TOKEN_MAX_TTL',
      'TOKEN_DEFAULT_TTL',
      'IAM_CALLERS',
      'SECRETS_ENDPOINT',
      'LOG_LEVEL',
      'SOCKET_URL_TOKEN_IN_QUERY',
    ]) {
      expect(text).toContain(name);
    }
  });

  it('requires STAGE and SOCKET_URL', () => {
    expect(problemsOf({})).toEqual(['STAGE is required', 'SOCKET_URL is required']);
  });

  it('refuses a default ttl above the max', () => {
    expect(problemsOf({ ...minimal, TOKEN_DEFAULT_TTL: '900', TOKEN_MAX_TTL: '600' })).toEqual(['TOKEN_DEFAULT_TTL (900) must be <= TOKEN_MAX_TTL (600)']);
  });

  it.each([
    ['not JSON', '{', 'IAM_CALLERS must be JSON'],
    ['an array', '[]', 'IAM_CALLERS: must be a JSON object'],
    ['not an ARN', '{"chat-backend": ["*"]}', 'is not an IAM role, assumed-role or user ARN'],
    ['no patterns', '{"arn:aws:iam::123456789012:role/r": []}', 'non-empty array'],
    ['regex pattern', '{"arn:aws:iam::123456789012:role/r": ["chat-.+"]}', 'must be "*"'],
    ['same role twice', '{"arn:aws:iam::123456789012:role/r": ["*"], "arn:aws:iam::123456789012:role/p/r": ["*"]}', 'same principal'],
  ])('IAM_CALLERS %s → names the problem', (_name, value, problem) => {
    expect(problemsOf({ ...minimal, IAM_CALLERS: value }).join('\n')).toContain(problem);
  });
});
