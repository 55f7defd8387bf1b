import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
// Without an import of 'vitest' tsc rejects the augmentation below (TS2664); type-only, so no runtime cost.
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { localClientConfig, startLocalAws } from './local-aws.ts';
import { ensureTable, loadAccessTable, loadHistoryTable, loadPublishesTable } from './table.ts';

export const TEST_TABLE_NAME = 'roomgate-test-connections';
export const TEST_HISTORY_TABLE_NAME = 'roomgate-test-history';
export const TEST_ACCESS_TABLE_NAME = 'roomgate-test-access';
export const TEST_PUBLISHES_TABLE_NAME = 'roomgate-test-publishes';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    secretsEndpoint: string;
    tableName: string;
    historyTableName: string;
    accessTableName: string;
    publishesTableName: string;
  }
}

/**
 * Vitest globalSetup: one in-memory local AWS per test run, on free ports so packages tested in
 * parallel by turbo never collide. Tests read the endpoints with `inject('dynamoEndpoint')`.
 */
export default async function setup({ provide }: Pick<TestProject, 'provide'>): Promise<() => Promise<void>> {
  const aws = await startLocalAws();
  try {
    const client = new DynamoDBClient(localClientConfig(aws.dynamoEndpoint));
    try {
      await ensureTable(client, TEST_TABLE_NAME);
      await ensureTable(client, TEST_HISTORY_TABLE_NAME, loadHistoryTable());
      await ensureTable(client, TEST_ACCESS_TABLE_NAME, loadAccessTable());
      await ensureTable(client, TEST_PUBLISHES_TABLE_NAME, loadPublishesTable());
    } finally {
      client.destroy();
    }
  } catch (error) {
    await aws.close();
    throw error;
  }
  provide('dynamoEndpoint', aws.dynamoEndpoint);
  provide('secretsEndpoint', aws.secretsEndpoint);
  provide('tableName', TEST_TABLE_NAME);
  provide('historyTableName', TEST_HISTORY_TABLE_NAME);
  provide('accessTableName', TEST_ACCESS_TABLE_NAME);
  provide('publishesTableName', TEST_PUBLISHES_TABLE_NAME);
  return () => aws.close();
}
