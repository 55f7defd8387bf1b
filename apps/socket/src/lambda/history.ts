import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createHistoryStore, type HistoryStore } from '@roomgate/shared/history';
import type { SocketConfig } from '../config.ts';

/** The history store, or undefined when the stage runs with history off (HISTORY_TTL_SECONDS=0). */
export function createHistory(config: SocketConfig, client: DynamoDBClient): HistoryStore | undefined {
  if (config.historyTtlSeconds === 0 || config.historyTableName === undefined) return undefined;
  return createHistoryStore({ client, tableName: config.historyTableName, ttlSeconds: config.historyTtlSeconds, maxMessages: config.historyMaxMessages });
}
