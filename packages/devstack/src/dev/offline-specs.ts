import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { envWithoutAws } from '@roomgate/local-aws';
import { DevstackError } from '../errors.ts';
import type { Ports } from './ports.ts';

/**
 * Preloaded into every serverless-offline process: an asynchronous invoke (a fan-out shard) that
 * throws or times out is logged as a warning instead of ending the process (offline-preload/).
 */
export const OFFLINE_PRELOAD_URL = new URL('./offline-preload/index.mjs', import.meta.url).href;

/** What both serverless-offline services need to know about the local stack. */
export interface StackEndpoints {
  stage: string;
  host: string;
  ports: Ports;
  tableName: string;
  /** the Rooms API's own table (idempotency claims, list cursors) */
  roomsTableName: string;
  dynamoEndpoint: string;
  secretsEndpoint: string;
  /** The local EventBridge; both services send lifecycle events to the stage's bus there. */
  eventsEndpoint: string;
  /** `pnpm dev --legacy-tokens`: the socket service admits source-system tokens too. */
  legacyTokens: boolean;
}

export interface OfflineSpec {
  /** short name used as the log prefix */
  name: string;
  label: string;
  cwd: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** serverless-esbuild's work folder for this run; removed after the service stops */
  buildDir: string;
}

/** The socket service's message history table of a local stage (both services use it; history is on in `pnpm dev`). */
export const historyTableNameOf = (stage: string): string => `roomgate-${stage}-history`;
/** The access table of a local stage: bans, revocations, single-use claims (both services use it). */
export const accessTableNameOf = (stage: string): string => `roomgate-${stage}-access`;
/** Sharded publishes' status of a local stage (the socket's shards write it, the Rooms API reads it). */
export const publishesTableNameOf = (stage: string): string => `roomgate-${stage}-publishes`;
/** The socket service's shard function under serverless-offline, named as in AWS (`<service>-<stage>-<function>`). */
export const fanOutShardFunctionOf = (stage: string): string => `roomgate-socket-${stage}-fanOutShard`;
/** serverless-offline's Lambda Invoke API of the socket service: where publishers queue fan-out shards. */
export const socketLambdaEndpointOf = (e: Pick<StackEndpoints, 'host' | 'ports'>): string => `http://${e.host}:${e.ports.socketLambda}`;

/** The stage's bus, named as the socket service declares it in AWS (`roomgate-<stage>`). */
export const eventBusNameOf = (stage: string): string => `roomgate-${stage}`;

export const socketUrlOf = (e: Pick<StackEndpoints, 'host' | 'ports'>): string => `ws://${e.host}:${e.ports.socket}`;
export const tokenApiUrlOf = (e: Pick<StackEndpoints, 'host' | 'ports'>): string => `http://${e.host}:${e.ports.tokenApi}`;
/** serverless-offline serves the @connections management API on the websocket port. */
export const managementEndpointOf = (e: Pick<StackEndpoints, 'host' | 'ports'>): string => `http://${e.host}:${e.ports.socket}`;

/**
 * Both services get the whole picture (table, DynamoDB, management endpoint) because the token
 * API's Rooms API reads room membership too. Values go in twice: as the ROOMGATE_* variables the
 * `local` stage params read, and as `--param` overrides, which serverless applies to any stage, so
 * `pnpm dev --stage demo` does not fall through to the AWS defaults of a non-local stage: every
 * `params.default` value that only means something in AWS (a CloudFormation `!Ref`/`!ImportValue`,
 * which serverless-offline would pass on as "[object Object]", or an empty endpoint, i.e. AWS's own)
 * is overridden here; offline-specs.test.ts reads both serverless.yml files to hold that. The
 * rest of a custom stage's settings (issuer, audience, history, fan-out) come from its stage file.
 */
export function tokenApiSpec(repoRoot: string, e: StackEndpoints): OfflineSpec {
  const params = {
    socketUrl: socketUrlOf(e),
    secretsEndpoint: e.secretsEndpoint,
    logLevel: 'info',
    connectionsTableName: e.tableName,
    roomsTableName: e.roomsTableName,
    dynamodbEndpoint: e.dynamoEndpoint,
    managementEndpoint: managementEndpointOf(e),
    eventBusName: eventBusNameOf(e.stage),
    eventsEndpoint: e.eventsEndpoint,
    historyTableName: historyTableNameOf(e.stage),
    accessTableName: accessTableNameOf(e.stage),
    publishesTableName: publishesTableNameOf(e.stage),
    fanOutShardFunction: fanOutShardFunctionOf(e.stage),
    lambdaEndpoint: socketLambdaEndpointOf(e),
    // serverless-offline has no IAM; the functions refuse CALLER_AUTH=iam there, and a presigned
    // (IAM mode) socket URL would need a wss:// URL and real credentials.
    callerAuth: 'api-key',
    socketIamAuth: 'false',
  };
  return offlineSpec(repoRoot, 'token-api', 'token API', e.stage, e.ports.tokenApi, params, {
    ...commonEnv(e),
    ROOMGATE_TOKEN_API_HOST: e.host,
    ROOMGATE_TOKEN_API_HTTP_PORT: String(e.ports.tokenApi),
    ROOMGATE_TOKEN_API_LAMBDA_PORT: String(e.ports.tokenApiLambda),
    ROOMGATE_SOCKET_URL: params.socketUrl,
    ROOMGATE_LOG_LEVEL: params.logLevel,
  });
}

export function socketSpec(repoRoot: string, e: StackEndpoints): OfflineSpec {
  const params = {
    tableName: e.tableName,
    managementEndpoint: managementEndpointOf(e),
    dynamodbEndpoint: e.dynamoEndpoint,
    secretsEndpoint: e.secretsEndpoint,
    eventBusName: eventBusNameOf(e.stage),
    eventsEndpoint: e.eventsEndpoint,
    historyTableName: historyTableNameOf(e.stage),
    accessTableName: accessTableNameOf(e.stage),
    publishesTableName: publishesTableNameOf(e.stage),
    lambdaEndpoint: socketLambdaEndpointOf(e),
    // No IAM under serverless-offline, whatever the stage file says (see tokenApiSpec).
    iamAuth: 'false',
    // Both or neither: a legacy token has no iss/aud, so it is only admitted with both set.
    allowLegacyTokens: String(e.legacyTokens),
    requireIssAud: String(!e.legacyTokens),
  };
  return offlineSpec(repoRoot, 'socket', 'socket service', e.stage, e.ports.socket, params, {
    ...commonEnv(e),
    ROOMGATE_SOCKET_HOST: e.host,
    ROOMGATE_SOCKET_WS_PORT: String(e.ports.socket),
    ROOMGATE_SOCKET_HTTP_PORT: String(e.ports.socketHttp),
    ROOMGATE_SOCKET_LAMBDA_PORT: String(e.ports.socketLambda),
  });
}

function offlineSpec(
  repoRoot: string,
  service: string,
  label: string,
  stage: string,
  port: number,
  params: Record<string, string>,
  env: NodeJS.ProcessEnv,
): OfflineSpec {
  const cwd = join(repoRoot, 'apps', service);
  // serverless-esbuild wipes and rebuilds its work folder, so two runs sharing the default
  // `.esbuild` (a test's `sls offline`, `sls package`, a second stack) break each other. Under
  // node_modules the folder is gitignored, unwatched, and still resolves the service's externals.
  const buildDir = `node_modules/.cache/roomgate-dev-${port}`;
  const sls = join(cwd, 'node_modules', 'serverless', 'bin', 'serverless.js');
  if (!existsSync(sls)) {
    throw new DevstackError('ERR_PART_FAILED', `cannot start the ${label}: ${sls} is missing; run "pnpm install" at the repository root`);
  }
  return {
    name: service,
    label,
    cwd,
    command: process.execPath,
    args: [sls, 'offline', 'start', '--stage', stage, ...Object.entries(params).map(([k, v]) => `--param=${k}=${v}`)],
    env: { ...env, ROOMGATE_ESBUILD_DIR: buildDir, NODE_OPTIONS: withPreload(env.NODE_OPTIONS) },
    buildDir: join(cwd, buildDir),
  };
}

/** The developer's own NODE_OPTIONS are kept; a file URL has no spaces to quote. */
function withPreload(nodeOptions: string | undefined): string {
  return [nodeOptions, `--import=${OFFLINE_PRELOAD_URL}`].filter(Boolean).join(' ');
}

/**
 * The parent environment minus every AWS_* variable, plus dummy credentials: a local stack must
 * never reach a real account, whatever profile the developer has active.
 */
function commonEnv(e: StackEndpoints): NodeJS.ProcessEnv {
  return envWithoutAws({
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_REGION: 'us-east-1',
    // The SDK's Node 20 deprecation notice, once per process and worker, buries real warnings.
    AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: '1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    SLS_NOTIFICATIONS_MODE: 'off',
    ROOMGATE_TABLE_NAME: e.tableName,
    ROOMGATE_ROOMS_TABLE_NAME: e.roomsTableName,
    ROOMGATE_HISTORY_TABLE_NAME: historyTableNameOf(e.stage),
    ROOMGATE_ACCESS_TABLE_NAME: accessTableNameOf(e.stage),
    ROOMGATE_PUBLISHES_TABLE_NAME: publishesTableNameOf(e.stage),
    ROOMGATE_LAMBDA_ENDPOINT: socketLambdaEndpointOf(e),
    ROOMGATE_DYNAMODB_ENDPOINT: e.dynamoEndpoint,
    ROOMGATE_SECRETS_ENDPOINT: e.secretsEndpoint,
    ROOMGATE_MANAGEMENT_ENDPOINT: managementEndpointOf(e),
    ROOMGATE_EVENTS_ENDPOINT: e.eventsEndpoint,
    ROOMGATE_EVENT_BUS_NAME: eventBusNameOf(e.stage),
  });
}
