import { EnvReader } from '@roomgate/shared/runtime';
import { readFanOutSharding, type FanOutShardingConfig } from '@roomgate/shared/delivery';
import { DEFAULT_PRESENCE_MAX_ROOM_SIZE } from '@roomgate/shared/presence';
import { API_GATEWAY_MAX_MESSAGE_BYTES, DEFAULT_MAX_MESSAGE_BYTES } from '@roomgate/protocol/limits';
import type { IamCallerMap } from '../http/auth/iam-callers.ts';
import { apiKeysSecretName, finishConfig, LOG_LEVELS, readCallerAuth, readIamCallers, readStage, type CallerAuth, type LogLevel } from '../http/config.ts';

/** What `buildRoomsApp` needs; tests pass this as a plain object. */
export interface RoomsAppConfig {
  /** Same map as the token route: a caller may act on exactly the rooms it may issue tokens for. */
  iamCallers: IamCallerMap;
  /** Largest serialized `message` frame a publish may produce; the socket service's MAX_MESSAGE_BYTES. */
  maxMessageBytes: number;
  /** TOKEN_MAX_TTL (seconds): how long a revocation must last to outlive every token it covers. */
  maxTokenLifetimeSeconds: number;
  /** CLOCK_TOLERANCE_SECONDS: the socket service's skew allowance, added to that. */
  clockToleranceSeconds: number;
  logLevel: LogLevel;
}

export interface RoomsApiConfig extends RoomsAppConfig {
  stage: string;
  /** Same mode as the token function (TokenApiConfig.callerAuth): one stage, one kind of caller. */
  callerAuth: CallerAuth;
  apiKeysSecretId: string;
  secretsMaxAgeSeconds: number;
  secretsEndpoint: string | undefined;
  /** The socket service's connections table (imported from its stack in AWS). */
  connectionsTableName: string;
  /** This service's own table: idempotency records and listing cursors. */
  roomsTableName: string;
  /** The socket API's management endpoint, `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`. */
  managementEndpoint: string;
  fanOutConcurrency: number;
  /** Large rooms: the socket stage's FAN_OUT_SHARD_* settings, its shard function and publishes table. */
  sharding: FanOutShardingConfig;
  /** The socket stage's history table; required unless history is off. */
  historyTableName: string | undefined;
  /** The socket stage's HISTORY_TTL_SECONDS (0 = off: publishes carry no seq, GET …/messages answers 409). */
  historyTtlSeconds: number;
  /** The socket stage's HISTORY_MAX_MESSAGES. */
  historyMaxMessages: number;
  /** The socket stage's access table: bans, revocations. */
  accessTableName: string;
  /** How long an Idempotency-Key is remembered. */
  idempotencyTtlSeconds: number;
  /** Local stack only (dynalite). */
  dynamodbEndpoint: string | undefined;
  /** EVENT_BUS_NAME: the stage's bus (socket stack export `EventBusName`); unset = no lifecycle events. */
  eventBusName: string | undefined;
  /** Local only: the local EventBridge endpoint. */
  eventsEndpoint: string | undefined;
  /** The socket stage's PRESENCE_MAX_ROOM_SIZE: a kick announces a leave only in rooms up to this size. */
  presenceMaxRoomSize: number;
  /** serverless-offline: IAM context is ignored there (see TokenApiConfig.offline). */
  offline: boolean;
}

/** Parses the rooms function's environment once per container; throws ConfigError naming every bad variable. */
export function parseRoomsConfig(env: Record<string, string | undefined>): RoomsApiConfig {
  const read = new EnvReader(env);
  const stage = readStage(read);
  const iamCallers = readIamCallers(read);
  const problems: string[] = [];
  const { callerAuth, offline } = readCallerAuth(read, problems);
  // The same settings and bounds as the socket service's: both producers write one history.
  const historyTtlSeconds = read.int('HISTORY_TTL_SECONDS', { default: 600, min: 0, max: 86_400 });
  const config: RoomsApiConfig = {
    stage,
    callerAuth,
    iamCallers,
    apiKeysSecretId: read.string('API_KEYS_SECRET_ID', { default: apiKeysSecretName(stage) }),
    secretsMaxAgeSeconds: read.int('SECRETS_MAX_AGE', { default: 300, min: 1, max: 86_400 }),
    secretsEndpoint: optionalUrl(read, 'SECRETS_ENDPOINT'),
    connectionsTableName: read.string('CONNECTIONS_TABLE_NAME'),
    roomsTableName: read.string('ROOMS_TABLE_NAME'),
    managementEndpoint: read.url('MANAGEMENT_ENDPOINT', { protocols: ['https:', 'http:'] }),
    historyTableName: historyTtlSeconds > 0 ? read.string('HISTORY_TABLE_NAME') : read.optionalString('HISTORY_TABLE_NAME'),
    historyTtlSeconds,
    historyMaxMessages: read.int('HISTORY_MAX_MESSAGES', { default: 1000, min: 1, max: 10_000 }),
    accessTableName: read.string('ACCESS_TABLE_NAME'),
    maxTokenLifetimeSeconds: read.int('TOKEN_MAX_TTL', { default: 3600, min: 1, max: 86_400 }),
    clockToleranceSeconds: read.int('CLOCK_TOLERANCE_SECONDS', { default: 5, min: 0, max: 300 }),
    maxMessageBytes: read.int('MAX_MESSAGE_BYTES', { default: DEFAULT_MAX_MESSAGE_BYTES, min: 256, max: API_GATEWAY_MAX_MESSAGE_BYTES }),
    fanOutConcurrency: read.int('FAN_OUT_CONCURRENCY', { default: 20, min: 1, max: 200 }),
    sharding: readFanOutSharding(read),
    idempotencyTtlSeconds: read.int('IDEMPOTENCY_TTL', { default: 24 * 3600, min: 60, max: 7 * 24 * 3600 }),
    dynamodbEndpoint: optionalUrl(read, 'DYNAMODB_ENDPOINT'),
    eventBusName: read.optionalString('EVENT_BUS_NAME'),
    eventsEndpoint: optionalUrl(read, 'EVENTS_ENDPOINT'),
    presenceMaxRoomSize: read.int('PRESENCE_MAX_ROOM_SIZE', { default: DEFAULT_PRESENCE_MAX_ROOM_SIZE, min: 1, max: 10_000 }),
    offline,
    logLevel: read.oneOf('LOG_LEVEL', LOG_LEVELS, { default: 'info' }),
  };
  finishConfig(read, problems);
  return config;
}

function optionalUrl(read: EnvReader, name: string): string | undefined {
  return read.optionalString(name) === undefined ? undefined : read.url(name, { protocols: ['http:', 'https:'] });
}
