import { STAGE_PATTERN } from '@roomgate/protocol/ids';
import type { EnvReader } from '@roomgate/shared/runtime';
import { ConfigError } from '@roomgate/shared/errors';
import { parseIamCallers, type IamCallerMap } from './auth/iam-callers.ts';

// The settings both functions read the same way (token/config.ts, rooms/config.ts).

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * How this stage's backends authenticate (serverless.yml `callerAuth`, resources/caller-auth.yml):
 * `iam` — SigV4 only, never an API key; `api-key` — API keys only. The app enforces it itself,
 * because a request can reach it on a route without API Gateway's authorizer (`$default`).
 */
export const CALLER_AUTH_MODES = ['iam', 'api-key'] as const;
export type CallerAuth = (typeof CALLER_AUTH_MODES)[number];

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

/** EnvReader names per-variable problems; cross-variable ones are appended to the same error. */
export function finishConfig(read: EnvReader, extra: string[]): void {
  try {
    read.done();
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError([...error.problems, ...extra]);
    throw error;
  }
  if (extra.length > 0) throw new ConfigError(extra);
}
