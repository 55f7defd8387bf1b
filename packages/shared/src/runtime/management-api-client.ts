import type { ApiGatewayManagementApiClient, ApiGatewayManagementApiClientConfig } from '@aws-sdk/client-apigatewaymanagementapi';
import { MANAGEMENT_CLIENT_SETTINGS } from './client-settings.ts';
import { LazyClient, loadOnce } from './lazy-client.ts';
import { withoutUnusedSdkLogger } from './sdk-logger.ts';

/** `@aws-sdk/client-apigatewaymanagementapi`, imported on the first call (see {@link LazyClient}), typed to the names roomgate uses (sdk-surfaces/client-apigatewaymanagementapi.ts). */
export const loadManagementApiSdk: () => Promise<typeof import('./sdk-surfaces/client-apigatewaymanagementapi.ts')> = loadOnce(
  () => import('@aws-sdk/client-apigatewaymanagementapi'),
);

/**
 * API Gateway's management API (PostToConnection, DeleteConnection), built on first use: a Rooms
 * listing or a `$default` ping never loads the package. `endpoint` is required: it is
 * `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}` (or serverless-offline's), never
 * derived from an event's `domainName`.
 */
export function createManagementApiClient(config: ApiGatewayManagementApiClientConfig & { endpoint: string }): LazyClient<ApiGatewayManagementApiClient> {
  return new LazyClient(async () =>
    withoutUnusedSdkLogger(new (await loadManagementApiSdk()).ApiGatewayManagementApiClient({ ...MANAGEMENT_CLIENT_SETTINGS, ...config }), config),
  );
}
