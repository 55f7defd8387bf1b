import { ConfigError } from '@roomgate/shared/errors';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';

const env = {
  TABLE_NAME: 'connections',
  PUBLIC_KEYS_SECRET_ID: 'roomgate/dev/public-keys',
  MANAGEMENT_ENDPOINT: 'https://abc.execute-api.us-east-1.amazonaws.com/dev',
  TOKEN_ISSUER: 'roomgate',
  TOKEN_AUDIENCE: 'roomgate-socket',
  HISTORY_TABLE_NAME: 'history',
  ACCESS_TABLE_NAME: 'access',
};

describe('parseConfig', () => {
  it('history: on by default and then needs its table; 0 turns it off without one; bounds are checked', () => {
    const { HISTORY_TABLE_NAME: _table, ...withoutTable } = env;
    expect(() => parseConfig(withoutTable)).toThrow(/HISTORY_TABLE_NAME is required/);
    expect(parseConfig({ ...withoutTable, HISTORY_TTL_SECONDS: '0' })).toMatchObject({ historyTtlSeconds: 0, historyTableName: undefined });
    const error = (() => {
      try {
        parseConfig({ ...env, HISTORY_TTL_SECONDS: '86401', HISTORY_MAX_MESSAGES: '0' });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error?.problems).toEqual(['HISTORY_TTL_SECONDS must be <= 86400', 'HISTORY_MAX_MESSAGES must be >= 1']);
  });

  it('applies defaults', () => {
    expect(parseConfig(env)).toEqual({
      tableName: 'connections',
      publicKeysSecretId: 'roomgate/dev/public-keys',
      managementEndpoint: 'https://abc.execute-api.us-east-1.amazonaws.com/dev',
      tokenIssuer: 'roomgate',
      tokenAudience: 'roomgate-socket',
      requireIssAud: true,
      allowLegacyTokens: false,
      clockToleranceSeconds: 5,
      maxTokenLifetimeSeconds: 3600,
      maxMessageBytes: 32 * 1024,
      fanOutConcurrency: 20,
      sharding: {
        threshold: 1000,
        shardSize: 5000,
        maxShards: 100,
        shardConcurrency: 25,
        functionName: undefined,
        publishesTableName: undefined,
        lambdaEndpoint: undefined,
      },
      historyTtlSeconds: 600,
      historyTableName: 'history',
      historyMaxMessages: 1000,
      accessTableName: 'access',
      publishRatePerSecond: 10,
      publishBurst: 20,
      maxConnectionsPerUser: 0,
      presenceMaxRoomSize: 100,
      eventBusName: undefined,
      stage: undefined,
      eventsEndpoint: undefined,
      dynamodbEndpoint: undefined,
      secretsEndpoint: undefined,
      logLevel: 'info',
    });
  });

  it('lifecycle events: EVENT_BUS_NAME needs STAGE; PRESENCE_MAX_ROOM_SIZE is 1-10000', () => {
    expect(
      parseConfig({ ...env, EVENT_BUS_NAME: 'roomgate-dev', STAGE: 'dev', EVENTS_ENDPOINT: 'http://127.0.0.1:4501', PRESENCE_MAX_ROOM_SIZE: '5' }),
    ).toMatchObject({
      eventBusName: 'roomgate-dev',
      stage: 'dev',
      eventsEndpoint: 'http://127.0.0.1:4501',
      presenceMaxRoomSize: 5,
    });
    expect(() => parseConfig({ ...env, EVENT_BUS_NAME: 'roomgate-dev' })).toThrow(/STAGE is required/);
    expect(() => parseConfig({ ...env, PRESENCE_MAX_ROOM_SIZE: '0' })).toThrow(/PRESENCE_MAX_ROOM_SIZE must be >= 1/);
  });

  it('reads local endpoints and the legacy switches; empty strings count as unset', () => {
    const config = parseConfig({
      ...env,
      TOKEN_ISSUER: '',
      TOKEN_AUDIENCE: '',
      REQUIRE_ISS_AUD: 'false',
      ALLOW_LEGACY_TOKENS: 'true',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      SECRETS_ENDPOINT: '',
      MANAGEMENT_ENDPOINT: 'http://localhost:3001',
    });
    expect(config).toMatchObject({
      requireIssAud: false,
      allowLegacyTokens: true,
      tokenIssuer: undefined,
      dynamodbEndpoint: 'http://127.0.0.1:8000',
      secretsEndpoint: undefined,
      managementEndpoint: 'http://localhost:3001',
    });
  });

  it('refuses ALLOW_LEGACY_TOKENS=true with REQUIRE_ISS_AUD left on: it would admit no legacy token', () => {
    expect(() => parseConfig({ ...env, ALLOW_LEGACY_TOKENS: 'true' })).toThrow(/ALLOW_LEGACY_TOKENS=true needs REQUIRE_ISS_AUD=false/);
  });

  it('names every bad or missing variable at once', () => {
    let error: unknown;
    try {
      parseConfig({ MANAGEMENT_ENDPOINT: 'not a url', MAX_MESSAGE_BYTES: '200000', DYNAMODB_ENDPOINT: 'ftp://x', TOKEN_MAX_TTL: '86401' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of [
      'TABLE_NAME',
      'PUBLIC_KEYS_SECRET_ID',
      'MANAGEMENT_ENDPOINT',
      'TOKEN_ISSUER',
      'TOKEN_AUDIENCE',
      'MAX_MESSAGE_BYTES',
      'DYNAMODB_ENDPOINT',
      'TOKEN_MAX_TTL',
    ]) {
      expect(problems).toContain(name);
    }
  });

  it('reads TOKEN_MAX_TTL, the longest token lifetime admitted', () => {
    expect(parseConfig({ ...env, TOKEN_MAX_TTL: '600' }).maxTokenLifetimeSeconds).toBe(600);
  });
});
