import { describe, expect, it } from 'vitest';
import { ConfigError } from '@roomgate/shared/errors';
import { parseRoomsConfig } from '../../../src/rooms/config.ts';

const env = {
  STAGE: 'prod',
  CONNECTIONS_TABLE_NAME: 'roomgate-socket-prod-ConnectionsTable-ABC',
  ROOMS_TABLE_NAME: 'roomgate-token-api-prod-RoomsStateTable-XYZ',
  MANAGEMENT_ENDPOINT: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod',
  IAM_CALLERS: '{"arn:aws:iam::123456789012:role/chat-backend":["chat-*"]}',
  HISTORY_TABLE_NAME: 'roomgate-socket-prod-HistoryTable-DEF',
  ACCESS_TABLE_NAME: 'roomgate-socket-prod-AccessTable-GHI',
};

describe('parseRoomsConfig', () => {
  it('CALLER_AUTH defaults to iam, which serverless-offline cannot serve', () => {
    expect(parseRoomsConfig({ ...env, CALLER_AUTH: 'api-key', IS_OFFLINE: 'true' })).toMatchObject({ callerAuth: 'api-key', offline: true });
    expect(() => parseRoomsConfig({ ...env, IS_OFFLINE: 'true' })).toThrow(/CALLER_AUTH=iam cannot run under serverless-offline/);
  });

  it('reads the rooms function environment with defaults', () => {
    const config = parseRoomsConfig({ ...env, DYNAMODB_ENDPOINT: '' });
    expect(config).toMatchObject({
      stage: 'prod',
      apiKeysSecretId: 'roomgate/prod/api-keys',
      connectionsTableName: env.CONNECTIONS_TABLE_NAME,
      roomsTableName: env.ROOMS_TABLE_NAME,
      managementEndpoint: env.MANAGEMENT_ENDPOINT,
      maxMessageBytes: 32_768,
      fanOutConcurrency: 20,
      idempotencyTtlSeconds: 86_400,
      historyTableName: env.HISTORY_TABLE_NAME,
      historyTtlSeconds: 600,
      historyMaxMessages: 1000,
      accessTableName: env.ACCESS_TABLE_NAME,
      maxTokenLifetimeSeconds: 3600,
      clockToleranceSeconds: 5,
      dynamodbEndpoint: undefined,
      offline: false,
      callerAuth: 'iam',
      logLevel: 'info',
    });
    expect([...config.iamCallers.keys()]).toEqual(['arn:aws:iam::123456789012:role/chat-backend']);
  });

  it('history: on by default and then needs the socket stage’s table; 0 turns it off', () => {
    const { HISTORY_TABLE_NAME: _table, ...withoutTable } = env;
    expect(() => parseRoomsConfig(withoutTable)).toThrow(/HISTORY_TABLE_NAME is required/);
    expect(parseRoomsConfig({ ...withoutTable, HISTORY_TTL_SECONDS: '0' })).toMatchObject({ historyTtlSeconds: 0, historyTableName: undefined });
    expect(() => parseRoomsConfig({ ...env, HISTORY_MAX_MESSAGES: '10001' })).toThrow(/HISTORY_MAX_MESSAGES must be <= 10000/);
  });

  it('names every bad or missing variable in one error', () => {
    let error: unknown;
    try {
      parseRoomsConfig({
        STAGE: 'Prod!',
        MANAGEMENT_ENDPOINT: 'wss://x',
        MAX_MESSAGE_BYTES: '999999',
        IAM_CALLERS: '{"x":["a*b"]}',
        DYNAMODB_ENDPOINT: 'nope',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of [
      'STAGE',
      'CONNECTIONS_TABLE_NAME',
      'ROOMS_TABLE_NAME',
      'MANAGEMENT_ENDPOINT',
      'MAX_MESSAGE_BYTES',
      'IAM_CALLERS',
      'DYNAMODB_ENDPOINT',
    ]) {
      expect(problems).toContain(name);
    }
  });
});
