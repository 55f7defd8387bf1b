// The dev stack itself (src/dev/dev-stack.ts, src/cli/dev-command.ts) is left out on purpose: it
// loads the demo app, and the services' tests import KeyAdmin from here.
export { KeyAdmin, type KeyAdminOptions, type KeyStatus, type KeySummary } from './key-admin.ts';
export { ApiKeyAdmin, type ApiKeyAdminOptions, type ApiKeySummary } from './api-key-admin.ts';
export { runKeysCli, type KeysCliIo } from './cli/keys-command.ts';
export { DEFAULT_PORT_BASE, PORT_PARTS, type PortName, type Ports } from './dev/ports.ts';
export { assertStage, STAGE_PATTERN } from './stage.ts';
export { DevstackError, isDevstackError, UsageError, type DevstackErrorCode } from './errors.ts';
