import type { ApiGatewayManagementApiClient, ApiGatewayManagementApiClientConfig } from '@aws-sdk/client-apigatewaymanagementapi';
import { createManagementApiClient, loadManagementApiSdk } from '../runtime/management-api-client.ts';
import { clientOf, loadOnce, type ClientRef } from '../runtime/lazy-client.ts';
import { ConnectionGoneError, DeliveryFailedError } from '../errors.ts';

/** Sends to and closes WebSocket connections; transport-agnostic so fan-out can be tested with a fake. */
export interface ManagementApi {
  /** Throws ConnectionGoneError when the connection no longer exists, DeliveryFailedError otherwise. */
  post(connectionId: string, data: string | Uint8Array): Promise<void>;
  /** DeleteConnection. Resolves false when the connection was already gone (idempotent). */
  close(connectionId: string): Promise<boolean>;
}

export type ManagementApiOptions =
  /** A client, or one built on the first post (the SDK package is not loaded before: runtime/lazy-client.ts). */
  | { client: ClientRef<ApiGatewayManagementApiClient> }
  | {
      /**
       * `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}` in AWS, `http://localhost:<port>`
       * under serverless-offline. Comes from configuration, never from the event's `domainName`
       * (a custom domain or a proxy in front would route management calls to the wrong place).
       */
      endpoint: string;
      clientConfig?: Omit<ApiGatewayManagementApiClientConfig, 'endpoint'>;
    };

export function createManagementApi(options: ManagementApiOptions): ManagementApi {
  const ref = 'client' in options ? options.client : createManagementApiClient({ ...options.clientConfig, endpoint: options.endpoint });
  // Client and commands resolved once, on the first call; every later post awaits a settled promise.
  const parts = loadOnce(async () => {
    const [module, client] = await Promise.all([loadManagementApiSdk(), clientOf(ref)]);
    return { client, PostToConnectionCommand: module.PostToConnectionCommand, DeleteConnectionCommand: module.DeleteConnectionCommand };
  });

  return {
    async post(connectionId, data) {
      const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
      try {
        const { client, PostToConnectionCommand } = await parts();
        await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: bytes }));
      } catch (cause) {
        if (isGone(cause)) throw new ConnectionGoneError(connectionId, { cause });
        throw new DeliveryFailedError(connectionId, { cause, httpStatusCode: httpStatusOf(cause) });
      }
    },

    async close(connectionId) {
      try {
        const { client, DeleteConnectionCommand } = await parts();
        await client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
        return true;
      } catch (cause) {
        if (isGone(cause)) return false;
        throw new DeliveryFailedError(connectionId, { cause, httpStatusCode: httpStatusOf(cause) });
      }
    },
  };
}

/**
 * AWS answers `GoneException`; serverless-offline answers a bare 410 with no error type, which
 * the SDK surfaces as a generic error carrying only `$metadata.httpStatusCode`. By name, not
 * `instanceof`: this is synchronous and must not need the SDK package loaded.
 */
export function isGone(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'GoneException' || httpStatusOf(error) === 410;
}

function httpStatusOf(error: unknown): number | undefined {
  const status = (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}
