import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createAccessStore } from '@roomgate/shared/access';
import type { ConnectionStore } from '@roomgate/shared/store';
import type { SocketConfig } from '../config.ts';
import { createAdmission, type Admission } from '../admission/admission.ts';
import { createPublishRateLimit, type PublishRateLimit } from '../admission/rate-limit.ts';

/** Bans, revocations and single-use claims, read from the access table with the container's DynamoDB client. */
export function createAdmissionFor(config: SocketConfig, dynamo: DynamoDBClient, store: ConnectionStore): Admission {
  const access = createAccessStore({ client: dynamo, tableName: config.accessTableName });
  return createAdmission({ access, store, maxConnectionsPerUser: config.maxConnectionsPerUser });
}

export function createRateLimitFor(config: SocketConfig, store: ConnectionStore): PublishRateLimit {
  return createPublishRateLimit({ store, ratePerSecond: config.publishRatePerSecond, burst: config.publishBurst });
}
