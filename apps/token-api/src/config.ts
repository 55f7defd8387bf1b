import { STAGE_PATTERN } from '@roomgate/protocol/ids';
import { EnvReader } from '@roomgate/shared/config';
import { ConfigError } from '@roomgate/shared/errors';
import { publicKeysSecretName, signingKeySecretName } from '@roomgate/shared/keys';
import { parseIamCallers, type IamCallerMap } from './auth/iam-callers.ts';
import { readSocketIamConfig, type SocketIamConfig } from './presign/socket-iam-config.ts';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What `buildApp` needs: no secret ids, no endpoints — tests pass this as a plain object. */
export interface AppConfig {
  /** `iss` of every token; the socket service must expect the same value. */
  issuer: string;
  /** `aud` of every token. */
  audience: string;
  defaultTtlSeconds: number;
  maxTtlSeconds: number;
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

/**
 * How this stage's backends authenticate (serverless.yml `callerAuth`, resources/caller-auth.yml):
 * `iam` — SigV4 only, never an API key; `api-key` — API keys only. The app enforces it itself,
 * because a request can reach it on a route without API Gateway's authorizer (`$default`).
 */
export const CALLER_AUTH_MODES = ['iam', 'api-key'] as const;
export type CallerAuth = (typeof CALLER_AUTH_MODES)[number];

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

export const apiKeysSecretName = (stage: string): string => `roomgate/${stage}/api-keys`;

/** STAGE, shared by the token and rooms functions: it names their secrets. */
export function readStage(read: EnvReader): string {
  return read.string('STAGE', { pattern: STAGE_PATTERN, hint: 'lower-case letters, digits and "-" (1-32 chars), starting with a letter or digit' });
}

/** IAM_CALLERS (`{"<principal ARN>": ["<room pattern>", ...]}`), shared by the token and rooms functions. */
export function readIamCallers(read: EnvReader): IamCallerMap {
  let iamCallers: IamCallerMap = new Map();
  read.json<unknown>(
    'IAM_CALLERS',
    (value) => {
      try {
        iamCallers = parseIamCallers(value);
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    },
    { default: {} },
  );
  return iamCallers;
}
/**
 * CALLER_AUTH (default `iam`: the safe one, it accepts no API key). serverless-offline has no IAM
 * (and lets a client header stand in for the authorizer context), so `iam` there is a
 * configuration error rather than a stage nobody can call.
 */
export function readCallerAuth(read: EnvReader, problems: string[]): { callerAuth: CallerAuth; offline: boolean } {
  const callerAuth = read.oneOf('CALLER_AUTH', CALLER_AUTH_MODES, { default: 'iam' });
  const offline = read.bool('IS_OFFLINE', { default: false });
  if (offline && callerAuth === 'iam') problems.push('CALLER_AUTH=iam cannot run under serverless-offline (no IAM there); use CALLER_AUTH=api-key');
  return { callerAuth, offline };
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
  finish(read, problems);
  return config;
}

/** EnvReader names per-variable problems; cross-variable ones are appended to the same error. */
function finish(read: EnvReader, extra: string[]): void {
  try {
    read.done();
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError([...error.problems, ...extra]);
    throw error;
  }
  if (extra.length > 0) throw new ConfigError(extra);
}
