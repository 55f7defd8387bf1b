import { EnvReader } from '@roomgate/shared/config';
import { API_GATEWAY_MAX_MESSAGE_BYTES } from '@roomgate/shared/frames';
import { DEFAULT_MAX_TOKEN_LIFETIME_SECONDS } from '@roomgate/shared/verifier';

export interface SocketConfig {
  tableName: string;
  /** `roomgate/<stage>/public-keys`: the only secret this service can read. */
  publicKeysSecretId: string;
  /** Management API base URL; offline `http://localhost:<websocketPort>`. */
  managementEndpoint: string;
  tokenIssuer: string | undefined;
  tokenAudience: string | undefined;
  requireIssAud: boolean;
  allowLegacyTokens: boolean;
  clockToleranceSeconds: number;
  /**
   * `TOKEN_MAX_TTL`: longest lifetime (seconds) a token may claim, the token API's setting of the
   * same name (default 3600, at most 86400). Longer tokens are refused as ERR_TOKEN_INVALID.
   */
  maxTokenLifetimeSeconds: number;
  /** Largest client frame accepted by `$default`. */
  maxMessageBytes: number;
  fanOutConcurrency: number;
  /** Local stack only: dynalite and the local Secrets Manager (@roomgate/local-aws). */
  dynamodbEndpoint: string | undefined;
  secretsEndpoint: string | undefined;
  logLevel: 'info' | 'warn' | 'error';
}

/** Parsed once per container; throws ConfigError naming every bad or missing variable. */
export function parseConfig(env: Record<string, string | undefined>): SocketConfig {
  const read = new EnvReader(env);
  const requireIssAud = read.bool('REQUIRE_ISS_AUD', { default: true });
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
    maxMessageBytes: read.int('MAX_MESSAGE_BYTES', { default: 32 * 1024, min: 256, max: API_GATEWAY_MAX_MESSAGE_BYTES }),
    fanOutConcurrency: read.int('FAN_OUT_CONCURRENCY', { default: 20, min: 1, max: 200 }),
    dynamodbEndpoint: optionalUrl(read, env, 'DYNAMODB_ENDPOINT'),
    secretsEndpoint: optionalUrl(read, env, 'SECRETS_ENDPOINT'),
    logLevel: read.oneOf('LOG_LEVEL', ['info', 'warn', 'error'] as const, { default: 'info' }),
  };
  read.done();
  return config;
}

function optionalUrl(read: EnvReader, env: Record<string, string | undefined>, name: string): string | undefined {
  return read.optionalString(name) === undefined ? undefined : read.url(name, { protocols: ['http:', 'https:'] });
}
