import { join } from 'node:path';
import { startDynamo, type RunningDynamo } from './dynamodb-server.ts';
import { startSecretsManager } from './secrets-manager-server.ts';
import { startEventBridge, type ReceivedEvent } from './eventbridge-server.ts';

export interface LocalAwsOptions {
  /** 0 (the default) picks a free port */
  dynamoPort?: number;
  secretsPort?: number;
  eventsPort?: number;
  /** Called for each event the local EventBridge accepts. */
  onEvent?: (event: ReceivedEvent) => void;
  host?: string;
  /** directory tables and secrets survive restarts in; in-memory when absent */
  persistDir?: string;
}

export interface LocalAws {
  dynamoEndpoint: string;
  secretsEndpoint: string;
  /** The local EventBridge (`PutEvents`). */
  eventsEndpoint: string;
  /** Every event it accepted, oldest first. */
  events: ReceivedEvent[];
  close(): Promise<void>;
}

export interface LocalClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** DynamoDB (dynalite), Secrets Manager and EventBridge on loopback, started and stopped together. */
export async function startLocalAws(options: LocalAwsOptions = {}): Promise<LocalAws> {
  const host = options.host ?? '127.0.0.1';
  const persistDir = options.persistDir;
  const dynamo: RunningDynamo = await startDynamo({
    port: options.dynamoPort ?? 0,
    host,
    ...(persistDir ? { path: join(persistDir, 'dynamodb') } : {}),
  });
  try {
    const secrets = await startSecretsManager({
      port: options.secretsPort ?? 0,
      host,
      ...(persistDir ? { persistFile: join(persistDir, 'secrets-manager.json') } : {}),
    });
    const bus = await startEventBridge({ port: options.eventsPort ?? 0, host, ...(options.onEvent ? { onEvent: options.onEvent } : {}) }).catch(
      async (error: unknown) => {
        await secrets.close();
        throw error;
      },
    );
    return {
      dynamoEndpoint: dynamo.endpoint,
      secretsEndpoint: secrets.endpoint,
      eventsEndpoint: bus.endpoint,
      events: bus.events,
      close: async () => {
        await Promise.all([bus.close(), secrets.close(), dynamo.close()]);
      },
    };
  } catch (error) {
    // Half a stack would hold the DynamoDB port and LevelDB lock until the process exits.
    await dynamo.close();
    throw error;
  }
}

/** SDK client settings for the local endpoints: any credentials pass, the region only names ARNs. */
export function localClientConfig(endpoint: string): LocalClientConfig {
  return { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
}
