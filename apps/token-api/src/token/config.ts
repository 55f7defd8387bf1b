import { EnvReader } from '@roomgate/shared/runtime';
import { publicKeysSecretName, signingKeySecretName } from '@roomgate/shared/tokens';
import type { IamCallerMap } from '../http/auth/iam-callers.ts';
import { apiKeysSecretName, finishConfig, LOG_LEVELS, readCallerAuth, readIamCallers, readStage, type CallerAuth, type LogLevel } from '../http/config.ts';
import { readSocketIamConfig, type SocketIamConfig } from './presign/socket-iam-config.ts';

/** What `buildApp` needs: no secret ids, no endpoints — tests pass this as a plain object. */
export interface AppConfig {
  /** `iss` of every token; the socket service must expect the same value. */
  issuer: string;
  /** `aud` of every token. */
  audience: string;
  defaultTtlSeconds: number;
  maxTtlSeconds: number;
  /** SINGLE_USE_TOKENS (default false): `singleUse` when a request does not say (the stage's singleUseTokens). */
  singleUseDefault?: boolean;
  /** Base URL of the WebSocket API returned as `socketUrl`. */
  socketUrl: string;
  /** Append `?token=` to `socketUrl` (source-article style) instead of leaving it to the subprotocol. */
  tokenInQuery: boolean;
  /** IAM principal (normalised role/user ARN) → room patterns it may issue tokens for. */
  iamCallers: IamCallerMap;
  /** `Cache-Control: max-age` of the JWKS response. */
  jwksMaxAgeSeconds: number;
  logLevel: LogLevel;
}

export interface TokenApiConfig extends AppConfig {
  stage: string;
  callerAuth: CallerAuth;
  signingKeySecretId: string;
  publicKeysSecretId: string;
  apiKeysSecretId: string;
  /** Key and API-key secrets are reloaded after this many seconds (rotation, revocation). */
  secretsMaxAgeSeconds: number;
  /** Local Secrets Manager endpoint (devstack); unset in AWS. */
  secretsEndpoint: string | undefined;
  /**
   * Running under serverless-offline (it sets IS_OFFLINE). There is no IAM there, and offline
   * copies a client-supplied `sls-offline-authorizer-override` header into the event's
   * authorizer, so the IAM context is ignored and API keys are the only way in.
   */
  offline: boolean;
  /**
   * IAM mode (SOCKET_IAM_AUTH=true): the socket stage's `$connect` requires AWS_IAM, so
   * `socketUrl` is SigV4-presigned per token (docs/iam-mode.md). Undefined when off.
   */
  socketIam: SocketIamConfig | undefined;
}

const HARD_MAX_TTL = 24 * 3600;

/**
 * Parses the token API's environment once, at cold start. Throws ConfigError naming every bad or
 * missing variable. Secret ids default to the `roomgate/<STAGE>/…` names.
 */
export function parseConfig(env: Record<string, string | undefined>): TokenApiConfig {
  const read = new EnvReader(env);
  const stage = readStage(read);
  const maxTtlSeconds = read.int('TOKEN_MAX_TTL', { default: 3600, min: 1, max: HARD_MAX_TTL });
  const defaultTtlSeconds = read.int('TOKEN_DEFAULT_TTL', { default: Math.min(300, maxTtlSeconds), min: 1, max: HARD_MAX_TTL });
  const iamCallers = readIamCallers(read);
  const secretsEndpoint = read.optionalString('SECRETS_ENDPOINT');
  const socketIam = readSocketIamConfig(read, env);
  const problems: string[] = [...socketIam.problems];
  const { callerAuth, offline } = readCallerAuth(read, problems);
  if (secretsEndpoint !== undefined) read.url('SECRETS_ENDPOINT', { protocols: ['http:', 'https:'] });

  const config: TokenApiConfig = {
    stage,
    callerAuth,
    signingKeySecretId: read.string('SIGNING_KEY_SECRET_ID', { default: signingKeySecretName(stage) }),
    publicKeysSecretId: read.string('PUBLIC_KEYS_SECRET_ID', { default: publicKeysSecretName(stage) }),
    apiKeysSecretId: read.string('API_KEYS_SECRET_ID', { default: apiKeysSecretName(stage) }),
    issuer: read.string('TOKEN_ISSUER', { default: 'roomgate' }),
    audience: read.string('TOKEN_AUDIENCE', { default: 'roomgate-socket' }),
    defaultTtlSeconds,
    maxTtlSeconds,
    singleUseDefault: read.bool('SINGLE_USE_TOKENS', { default: false }),
    socketUrl: read.url('SOCKET_URL', { protocols: ['wss:', 'ws:'] }),
    tokenInQuery: read.bool('SOCKET_URL_TOKEN_IN_QUERY', { default: false }),
    iamCallers,
    jwksMaxAgeSeconds: read.int('JWKS_MAX_AGE', { default: 300, min: 0, max: 86_400 }),
    secretsMaxAgeSeconds: read.int('SECRETS_MAX_AGE', { default: 300, min: 1, max: 86_400 }),
    secretsEndpoint,
    offline,
    socketIam: socketIam.value,
    logLevel: read.oneOf('LOG_LEVEL', LOG_LEVELS, { default: 'info' }),
  };
  // Checked after the reads so a bad TOKEN_DEFAULT_TTL and a bad SOCKET_URL are reported together.
  if (defaultTtlSeconds > maxTtlSeconds) problems.push(`TOKEN_DEFAULT_TTL (${defaultTtlSeconds}) must be <= TOKEN_MAX_TTL (${maxTtlSeconds})`);
  finishConfig(read, problems);
  return config;
}
