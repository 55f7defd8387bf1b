import { EnvReader } from '@roomgate/shared/runtime';
import { ConfigError } from '@roomgate/shared/errors';
import { API_GATEWAY_MAX_MESSAGE_BYTES, DEFAULT_MAX_MESSAGE_BYTES } from '@roomgate/protocol/limits';
import { DEFAULT_MAX_TOKEN_LIFETIME_SECONDS } from '@roomgate/shared/tokens';
import { DEFAULT_PRESENCE_MAX_ROOM_SIZE } from '@roomgate/shared/presence';
import { readFanOutSharding, type FanOutShardingConfig } from '@roomgate/shared/delivery';

/** 10 minutes: spans a reconnect with backoff, and API Gateway's 10-minute idle close. */
export const HISTORY_DEFAULT_TTL_SECONDS = 600;
/** One day: longer is a message store, not a recovery window. */
export const HISTORY_MAX_TTL_SECONDS = 86_400;

export interface SocketConfig {
  tableName: string;
  /** `roomgate/<stage>/public-keys`: the only secret this service can read. */
  publicKeysSecretId: string;
  /** Management API base URL; offline `http://localhost:<websocketPort>`. */
  managementEndpoint: string;
  tokenIssuer: string | undefined;
  tokenAudience: string | undefined;
  /** REQUIRE_ISS_AUD (default true): every token must carry `iss` and `aud`. */
  requireIssAud: boolean;
  /**
   * ALLOW_LEGACY_TOKENS (default false): also admit the source system's RS256 tokens without
   * `kid` (`{sub, iat, exp}`), checked against every RS256 key in the JWKS. Needs
   * REQUIRE_ISS_AUD=false. docs/migrating.md.
   */
  allowLegacyTokens: boolean;
  /** CLOCK_TOLERANCE_SECONDS (default 5, 0-300): skew allowed on `exp`, `nbf` and `iat`. */
  clockToleranceSeconds: number;
  /**
   * `TOKEN_MAX_TTL`: longest lifetime (seconds) a token may claim, the token API's setting of the
   * same name (default 3600, at most 86400). Longer tokens are refused as ERR_TOKEN_INVALID.
   */
  maxTokenLifetimeSeconds: number;
  /** Largest client frame accepted by `$default`. */
  maxMessageBytes: number;
  fanOutConcurrency: number;
  /** Large rooms (docs/architecture.md, "Large rooms"): FAN_OUT_SHARD_* and where shards run. */
  sharding: FanOutShardingConfig;
  /**
   * Message history (docs/architecture.md, History and recovery). Seconds a message is kept,
   * 0 = history off (frames carry no seq/epoch, the `history` action answers ERR_HISTORY_DISABLED).
   */
  historyTtlSeconds: number;
  /** The history table; required unless history is off. */
  historyTableName: string | undefined;
  /** Messages per room a reader is served at most. */
  historyMaxMessages: number;
  /** Bans, revocations and single-use claims (resources/access-table.yml). */
  accessTableName: string;
  /** PUBLISH_RATE_PER_SECOND (default 10, 0 = off): client publishes per second per connection (token bucket). */
  publishRatePerSecond: number;
  /** PUBLISH_BURST (default 20): publishes a connection may send at once after a quiet spell. */
  publishBurst: number;
  /** MAX_CONNECTIONS_PER_USER (default 0 = no cap): one user's concurrent connections in one room. */
  maxConnectionsPerUser: number;
  /**
   * PRESENCE_MAX_ROOM_SIZE (default 100, 1-10000): presence frames are sent only while a room has
   * at most this many live connections (docs/architecture.md, "Presence").
   */
  presenceMaxRoomSize: number;
  /** EVENT_BUS_NAME: the stage's EventBridge bus for lifecycle events; unset = no events. */
  eventBusName: string | undefined;
  /** STAGE: put in every event's detail; required with EVENT_BUS_NAME. */
  stage: string | undefined;
  /** Local stack only: the local EventBridge endpoint (@roomgate/local-aws). */
  eventsEndpoint: string | undefined;
  /** Local stack only: dynalite and the local Secrets Manager (@roomgate/local-aws). */
  dynamodbEndpoint: string | undefined;
  secretsEndpoint: string | undefined;
  logLevel: 'info' | 'warn' | 'error';
}

/** Parsed once per container; throws ConfigError naming every bad or missing variable. */
export function parseConfig(env: Record<string, string | undefined>): SocketConfig {
  const read = new EnvReader(env);
  const requireIssAud = read.bool('REQUIRE_ISS_AUD', { default: true });
  const eventBusName = read.optionalString('EVENT_BUS_NAME');
  const historyTtlSeconds = read.int('HISTORY_TTL_SECONDS', { default: HISTORY_DEFAULT_TTL_SECONDS, min: 0, max: HISTORY_MAX_TTL_SECONDS });
  const config: SocketConfig = {
    tableName: read.string('TABLE_NAME'),
    publicKeysSecretId: read.string('PUBLIC_KEYS_SECRET_ID'),
    managementEndpoint: read.url('MANAGEMENT_ENDPOINT', { protocols: ['https:', 'http:'] }),
    // Required when iss/aud are enforced: checking only their presence would accept any issuer.
    tokenIssuer: requireIssAud ? read.string('TOKEN_ISSUER') : read.optionalString('TOKEN_ISSUER'),
    tokenAudience: requireIssAud ? read.string('TOKEN_AUDIENCE') : read.optionalString('TOKEN_AUDIENCE'),
    requireIssAud,
    allowLegacyTokens: read.bool('ALLOW_LEGACY_TOKENS', { default: false }),
    clockToleranceSeconds: read.int('CLOCK_TOLERANCE_SECONDS', { default: 5, min: 0, max: 300 }),
    maxTokenLifetimeSeconds: read.int('TOKEN_MAX_TTL', { default: DEFAULT_MAX_TOKEN_LIFETIME_SECONDS, min: 1, max: 24 * 3600 }),
    maxMessageBytes: read.int('MAX_MESSAGE_BYTES', { default: DEFAULT_MAX_MESSAGE_BYTES, min: 256, max: API_GATEWAY_MAX_MESSAGE_BYTES }),
    fanOutConcurrency: read.int('FAN_OUT_CONCURRENCY', { default: 20, min: 1, max: 200 }),
    sharding: readFanOutSharding(read),
    historyTtlSeconds,
    historyTableName: historyTtlSeconds > 0 ? read.string('HISTORY_TABLE_NAME') : read.optionalString('HISTORY_TABLE_NAME'),
    historyMaxMessages: read.int('HISTORY_MAX_MESSAGES', { default: 1000, min: 1, max: 10_000 }),
    accessTableName: read.string('ACCESS_TABLE_NAME'),
    publishRatePerSecond: read.int('PUBLISH_RATE_PER_SECOND', { default: 10, min: 0, max: 10_000 }),
    publishBurst: read.int('PUBLISH_BURST', { default: 20, min: 1, max: 10_000 }),
    maxConnectionsPerUser: read.int('MAX_CONNECTIONS_PER_USER', { default: 0, min: 0, max: 1000 }),
    presenceMaxRoomSize: read.int('PRESENCE_MAX_ROOM_SIZE', { default: DEFAULT_PRESENCE_MAX_ROOM_SIZE, min: 1, max: 10_000 }),
    eventBusName,
    stage: eventBusName !== undefined ? read.string('STAGE') : read.optionalString('STAGE'),
    eventsEndpoint: optionalUrl(read, env, 'EVENTS_ENDPOINT'),
    dynamodbEndpoint: optionalUrl(read, env, 'DYNAMODB_ENDPOINT'),
    secretsEndpoint: optionalUrl(read, env, 'SECRETS_ENDPOINT'),
    logLevel: read.oneOf('LOG_LEVEL', ['info', 'warn', 'error'] as const, { default: 'info' }),
  };
  read.done();
  // A legacy token carries no iss/aud, so with them required the switch would admit nothing and a
  // migration would fail only at its first connect (docs/migrating.md).
  if (config.allowLegacyTokens && config.requireIssAud) {
    throw new ConfigError(['ALLOW_LEGACY_TOKENS=true needs REQUIRE_ISS_AUD=false: source-system tokens carry no iss or aud']);
  }
  return config;
}

function optionalUrl(read: EnvReader, env: Record<string, string | undefined>, name: string): string | undefined {
  return read.optionalString(name) === undefined ? undefined : read.url(name, { protocols: ['http:', 'https:'] });
}
