import { createManagementApi, type ManagementApi } from '@roomgate/shared/delivery';
import { createManagementApiClient } from '@roomgate/shared/runtime';
import type { SocketConfig } from '../config.ts';

/** The endpoint comes from config (offline: the websocket port), never from the event's domainName. */
export function createManagement(config: SocketConfig): ManagementApi {
  return createManagementApi({ client: createManagementApiClient({ endpoint: config.managementEndpoint }) });
}
