import { join } from 'node:path';
import { startDynamo, type RunningDynamo } from './dynamodb-server.ts';
import { startSecretsManager } from './secrets-manager-server.ts';

export interface LocalAwsOptions {
  /** 0 (the default) picks a free port */
  dynamoPort?: number;
  secretsPort?: number;
  host?: string;
  /** directory tables and secrets survive restarts in; in-memory when absent */
  persistDir?: string;
}

export interface LocalAws {
  dynamoEndpoint: string;
  secretsEndpoint: string;
  close(): Promise<void>;
}

export interface LocalClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** DynamoDB (dynalite) and Secrets Manager on loopback, started and stopped together. */
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
    return {
      dynamoEndpoint: dynamo.endpoint,
      secretsEndpoint: secrets.endpoint,
      close: async () => {
        await Promise.all([secrets.close(), dynamo.close()]);
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
