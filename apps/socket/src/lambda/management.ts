import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { createManagementApi, type ManagementApi } from '@roomgate/shared/management-api';
import type { SocketConfig } from '../config.ts';
import { MANAGEMENT_CLIENT_SETTINGS } from '@roomgate/shared/client-settings';

/** The endpoint comes from config (offline: the websocket port), never from the event's domainName. */
export function createManagement(config: SocketConfig): ManagementApi {
  return createManagementApi({
    client: new ApiGatewayManagementApiClient({ ...MANAGEMENT_CLIENT_SETTINGS, endpoint: config.managementEndpoint }),
  });
}
