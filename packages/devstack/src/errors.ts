/**
 * Failures of the dev tooling (key CLI, `pnpm dev`). They mirror @roomgate/shared's RoomgateError
 * shape — `name`, `code`, `cause` — but keep their own code union: these are operator errors on a
 * laptop or in CI, never outcomes a roomgate client has to switch on.
 */
export type DevstackErrorCode =
  | 'ERR_USAGE'
  | 'ERR_STAGE_INVALID'
  | 'ERR_KEY_EXISTS'
  | 'ERR_KEY_NOT_FOUND'
  | 'ERR_KEY_INVALID'
  | 'ERR_KEY_IN_USE'
  | 'ERR_SECRETS_UNAVAILABLE'
  | 'ERR_API_KEY_EXISTS'
  | 'ERR_API_KEY_NOT_FOUND'
  | 'ERR_API_KEY_INVALID'
  | 'ERR_PORT_IN_USE'
  | 'ERR_PART_FAILED'
  | 'ERR_STACK_NOT_FOUND'
  | 'ERR_STACK_OUTPUT_MISSING'
  | 'ERR_AWS_UNAVAILABLE';

export class DevstackError extends Error {
  readonly code: DevstackErrorCode;

  constructor(code: DevstackErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad command line or option value: the CLI exits 2. */
export class UsageError extends DevstackError {
  constructor(message: string) {
    super('ERR_USAGE', message);
  }
}

export function isDevstackError(value: unknown): value is DevstackError {
  return value instanceof DevstackError;
}
