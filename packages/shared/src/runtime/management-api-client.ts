import { ApiGatewayManagementApiClient, type ApiGatewayManagementApiClientConfig } from '@aws-sdk/client-apigatewaymanagementapi';
import { MANAGEMENT_CLIENT_SETTINGS } from './client-settings.ts';
import { withoutUnusedSdkLogger } from './sdk-logger.ts';

/**
 * API Gateway's management API (PostToConnection, DeleteConnection). `endpoint` is required: it is
 * `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}` (or serverless-offline's), never
 * derived from an event's `domainName`.
 */
export function createManagementApiClient(config: ApiGatewayManagementApiClientConfig & { endpoint: string }): ApiGatewayManagementApiClient {
  return withoutUnusedSdkLogger(new ApiGatewayManagementApiClient({ ...MANAGEMENT_CLIENT_SETTINGS, ...config }), config);
}
