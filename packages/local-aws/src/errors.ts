/**
 * Failures of the local endpoints (bad table declaration, persisted data that cannot be read) and
 * of the local CloudFormation check (a template the resource specification refuses).
 * Same shape as @roomgate/shared's RoomgateError — `name`, `code`, `cause` — with their own codes:
 * these are operator errors on a laptop or in CI, never outcomes a roomgate client switches on.
 */
export type LocalAwsErrorCode = 'ERR_TABLE_DEFINITION' | 'ERR_TABLE_MISMATCH' | 'ERR_TABLE_NOT_READY' | 'ERR_PERSIST_CORRUPT' | 'ERR_TEMPLATE_INVALID';

export class LocalAwsError extends Error {
  readonly code: LocalAwsErrorCode;

  constructor(code: LocalAwsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}
