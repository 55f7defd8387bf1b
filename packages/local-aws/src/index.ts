export { startSecretsManager, type RunningSecretsManager, type SecretsManagerOptions } from './secrets-manager-server.ts';
export { SecretStore, type SecretStoreOptions, type SecretStoreSnapshot } from './secret-store.ts';
export { startEventBridge, type EventBridgeOptions, type ReceivedEvent, type RunningEventBridge } from './eventbridge-server.ts';
export { startDynamo, type DynamoOptions, type RunningDynamo } from './dynamodb-server.ts';
export {
  ACCESS_TABLE_FILE,
  ACCESS_TABLE_RESOURCE,
  CONNECTIONS_TABLE_FILE,
  CONNECTIONS_TABLE_RESOURCE,
  HISTORY_TABLE_FILE,
  HISTORY_TABLE_RESOURCE,
  PUBLISHES_TABLE_FILE,
  PUBLISHES_TABLE_RESOURCE,
  ensureTable,
  loadAccessTable,
  loadConnectionsTable,
  loadHistoryTable,
  loadPublishesTable,
  schemaMismatch,
  waitForTableActive,
  type TableDefinition,
} from './table.ts';
export { parseCloudFormationYaml } from './cloudformation-yaml.ts';
export { assertValidTemplate, readPackagedTemplate, validateTemplate, type TemplateProblem } from './cloudformation-spec.ts';
export { localClientConfig, startLocalAws, type LocalAws, type LocalAwsOptions, type LocalClientConfig } from './local-aws.ts';
export { AwsServiceError } from './aws-service-error.ts';
export { LocalAwsError, type LocalAwsErrorCode } from './errors.ts';
export { accepts, freePort, freePorts } from './loopback.ts';
export { signalProcessGroup, stopProcessGroup } from './process-group.ts';
export { envWithoutAws } from './env-without-aws.ts';
