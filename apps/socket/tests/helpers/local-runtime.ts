import type {} from '@roomgate/local-aws/vitest-global-setup';
import { inject, vi } from 'vitest';

/** Local credentials and region for the SDK clients a runtime builds; undone by `vi.unstubAllEnvs()`. */
export function stubLocalAwsEnv(): void {
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
  vi.stubEnv('AWS_REGION', 'us-east-1');
}

/**
 * The environment `createRuntime` reads, pointed at the local tables of the vitest global setup,
 * with `overrides` on top. Management and Secrets Manager point nowhere unless overridden.
 */
export function localRuntimeEnv(overrides: Record<string, string>): Record<string, string> {
  return {
    TABLE_NAME: inject('tableName'),
    HISTORY_TABLE_NAME: inject('historyTableName'),
    ACCESS_TABLE_NAME: inject('accessTableName'),
    PUBLIC_KEYS_SECRET_ID: 'roomgate/fault/public-keys',
    MANAGEMENT_ENDPOINT: 'http://127.0.0.1:9',
    TOKEN_ISSUER: 'roomgate',
    TOKEN_AUDIENCE: 'roomgate-socket',
    DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
    LOG_LEVEL: 'error',
    ...overrides,
  };
}
