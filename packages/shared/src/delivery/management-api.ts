import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GoneException,
  PostToConnectionCommand,
  type ApiGatewayManagementApiClientConfig,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { createManagementApiClient } from '../runtime/aws-clients.ts';
import { ConnectionGoneError, DeliveryFailedError } from '../errors.ts';

/** Sends to and closes WebSocket connections; transport-agnostic so fan-out can be tested with a fake. */
export interface ManagementApi {
  /** Throws ConnectionGoneError when the connection no longer exists, DeliveryFailedError otherwise. */
  post(connectionId: string, data: string | Uint8Array): Promise<void>;
  /** DeleteConnection. Resolves false when the connection was already gone (idempotent). */
  close(connectionId: string): Promise<boolean>;
}

export type ManagementApiOptions =
  | { client: ApiGatewayManagementApiClient }
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
  const client = 'client' in options ? options.client : createManagementApiClient({ ...options.clientConfig, endpoint: options.endpoint });

  return {
    async post(connectionId, data) {
      const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
      try {
        await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: bytes }));
      } catch (cause) {
        if (isGone(cause)) throw new ConnectionGoneError(connectionId, { cause });
        throw new DeliveryFailedError(connectionId, { cause, httpStatusCode: httpStatusOf(cause) });
      }
    },

    async close(connectionId) {
      try {
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
 * the SDK surfaces as a generic error carrying only `$metadata.httpStatusCode`.
 */
export function isGone(error: unknown): boolean {
  return error instanceof GoneException || (error as { name?: unknown } | null)?.name === 'GoneException' || httpStatusOf(error) === 410;
}

function httpStatusOf(error: unknown): number | undefined {
  const status = (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}
