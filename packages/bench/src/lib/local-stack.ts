import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { CreateSecretCommand, PutSecretValueCommand, ResourceExistsException } from '@aws-sdk/client-secrets-manager';
import { localClientConfig } from '@roomgate/local-aws';
import { generateSigningKey, publicJwkOf, type SigningKeyRecord, type SigningAlgorithm } from '@roomgate/shared/tokens';
import { TSX } from './paths.ts';
import { createSecretsManagerClient } from '@roomgate/shared/runtime';

export interface LocalEndpoints {
  dynamoEndpoint: string;
  secretsEndpoint: string;
  tableName: string;
  /** the socket service's message history table (history section) */
  historyTableName: string;
  /** bans, revocations and single-use claims */
  accessTableName: string;
  /** sharded publishes' status (large-room section) */
  publishesTableName: string;
}

export interface LocalStack extends LocalEndpoints {
  stop(): Promise<void>;
}

/** Starts `local-aws-server.ts` as a child process and waits for its endpoints. */
export async function startLocalStack(): Promise<LocalStack> {
  const child = spawn(process.execPath, [TSX, new URL('../local-aws-server.ts', import.meta.url).pathname], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`local-aws-server exited with ${code}`)));
    createInterface({ input: child.stdout! }).once('line', resolve);
  });
  const endpoints = JSON.parse(line) as LocalEndpoints;
  return {
    ...endpoints,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export const endpointsFromEnv = (): LocalEndpoints => ({
  dynamoEndpoint: required('BENCH_DYNAMODB_ENDPOINT'),
  secretsEndpoint: required('BENCH_SECRETS_ENDPOINT'),
  tableName: required('BENCH_TABLE_NAME'),
  historyTableName: required('BENCH_HISTORY_TABLE_NAME'),
  accessTableName: required('BENCH_ACCESS_TABLE_NAME'),
  publishesTableName: required('BENCH_PUBLISHES_TABLE_NAME'),
});

export const endpointsToEnv = (e: LocalEndpoints): Record<string, string> => ({
  BENCH_DYNAMODB_ENDPOINT: e.dynamoEndpoint,
  BENCH_SECRETS_ENDPOINT: e.secretsEndpoint,
  BENCH_TABLE_NAME: e.tableName,
  BENCH_HISTORY_TABLE_NAME: e.historyTableName,
  BENCH_ACCESS_TABLE_NAME: e.accessTableName,
  BENCH_PUBLISHES_TABLE_NAME: e.publishesTableName,
});

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the suite through src/main.ts (pnpm bench)`);
  return value;
}

export interface SeededStage {
  stage: string;
  record: SigningKeyRecord;
  apiKey: string;
  /** What the token API reads at cold start (parseConfig), pointed at the local Secrets Manager. */
  tokenApiEnv: Record<string, string>;
}

export const BENCH_ROLE = 'arn:aws:iam::123456789012:role/bench-backend';
export const BENCH_ROLE_SESSION = 'arn:aws:sts::123456789012:assumed-role/bench-backend/bench-1';

/**
 * Creates a stage's three secrets the way `pnpm keys create` and the API-key CLI store them:
 * the signing key (PEM JSON), the public JWKS and the API-key hashes.
 */
export async function seedStage(secretsEndpoint: string, stage: string, alg: SigningAlgorithm): Promise<SeededStage> {
  const record = await generateSigningKey(alg);
  const apiKey = `rgk_${randomBytes(32).toString('base64url')}`;
  const client = createSecretsManagerClient(localClientConfig(secretsEndpoint));
  try {
    const put = async (name: string, value: unknown) => {
      const SecretString = JSON.stringify(value);
      try {
        await client.send(new CreateSecretCommand({ Name: name, SecretString }));
      } catch (error) {
        if (!(error instanceof ResourceExistsException)) throw error;
        await client.send(new PutSecretValueCommand({ SecretId: name, SecretString }));
      }
    };
    await put(`roomgate/${stage}/signing-key`, record);
    await put(`roomgate/${stage}/public-keys`, { keys: [await publicJwkOf(record)] });
    await put(`roomgate/${stage}/api-keys`, {
      keys: [{ id: 'bench', sha256: createHash('sha256').update(apiKey).digest('hex'), rooms: ['bench-*', 'chat-*'] }],
    });
  } finally {
    client.destroy();
  }
  return {
    stage,
    record,
    apiKey,
    tokenApiEnv: {
      STAGE: stage,
      SOCKET_URL: 'wss://abc123.execute-api.eu-west-1.amazonaws.com/bench',
      IAM_CALLERS: JSON.stringify({ [BENCH_ROLE]: ['bench-*', 'chat-*'] }),
      SECRETS_ENDPOINT: secretsEndpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    },
  };
}
