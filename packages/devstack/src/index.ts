export { KeyAdmin, type KeyAdminOptions, type KeyStatus, type KeySummary } from './key-admin.ts';
export { runKeysCli, type KeysCliIo } from './cli/keys-command.ts';
export { assertStage, STAGE_PATTERN } from './stage.ts';
export { DevstackError, isDevstackError, UsageError, type DevstackErrorCode } from './errors.ts';
