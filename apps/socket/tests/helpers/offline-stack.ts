import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { localClientConfig } from '@roomgate/local-aws';
import type {} from '@roomgate/local-aws/vitest-global-setup';
import { createConnectionStore, type ConnectionStore } from '@roomgate/shared/store';
import { generateSigningKey, importSigningKey, publicJwkOf, type Jwks, type SigningKeyRecord, createSigner, type TokenSigner } from '@roomgate/shared/tokens';
import { inject } from 'vitest';
import { startOffline, type RunningOffline } from './offline.ts';
import { HandshakeRefused, connect, tokenProtocols } from './ws-client.ts';

export const ISSUER = 'roomgate';
export const AUDIENCE = 'roomgate-socket';
const PUBLIC_KEYS = 'roomgate/local/public-keys';

export interface SocketStack {
  offline: RunningOffline;
  signer: TokenSigner;
  record: SigningKeyRecord;
  store: ConnectionStore;
  dynamo: DynamoDBClient;
  stop(): Promise<void>;
}

/**
 * serverless-offline running the socket service against the run's dynalite and local Secrets
 * Manager, with a key of its own. Every socket e2e file runs `--stage local`, so they share the
 * `roomgate/local/public-keys` secret: this adds its key to whatever is there instead of replacing
 * it, and returns only once the running service admits a token signed with it.
 */
export async function startSocketStack(env: Record<string, string> = {}): Promise<SocketStack> {
  const record = await generateSigningKey('ES256');
  const signer = createSigner({ key: await importSigningKey(record), issuer: ISSUER, audience: AUDIENCE });
  const dynamo = new DynamoDBClient(localClientConfig(inject('dynamoEndpoint')));
  const store = createConnectionStore({ client: dynamo, tableName: inject('tableName') });
  const offline = await startOffline({
    ROOMGATE_TABLE_NAME: inject('tableName'),
    ROOMGATE_HISTORY_TABLE_NAME: inject('historyTableName'),
    ROOMGATE_ACCESS_TABLE_NAME: inject('accessTableName'),
    ROOMGATE_DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
    ROOMGATE_SECRETS_ENDPOINT: inject('secretsEndpoint'),
    ROOMGATE_TOKEN_ISSUER: ISSUER,
    ROOMGATE_TOKEN_AUDIENCE: AUDIENCE,
    ...env,
  });
  const stop = async () => {
    await offline.stop();
    dynamo.destroy();
  };
  try {
    await publishKey(record);
    await untilAdmitted(offline.wsUrl, signer, record);
  } catch (error) {
    await stop();
    throw error;
  }
  return { offline, signer, record, store, dynamo, stop };
}

async function publishKey(record: SigningKeyRecord): Promise<void> {
  const secrets = new SecretsManagerClient(localClientConfig(inject('secretsEndpoint')));
  try {
    const jwk = await publicJwkOf(record);
    let existing: Jwks = { keys: [] };
    try {
      existing = JSON.parse((await secrets.send(new GetSecretValueCommand({ SecretId: PUBLIC_KEYS }))).SecretString ?? '{"keys":[]}') as Jwks;
    } catch {
      // not created yet
    }
    const SecretString = JSON.stringify({ keys: [...existing.keys.filter((k) => k.kid !== jwk.kid), jwk] });
    try {
      await secrets.send(new CreateSecretCommand({ Name: PUBLIC_KEYS, SecretString }));
    } catch (error) {
      if (!(error instanceof ResourceExistsException)) throw error;
      await secrets.send(new PutSecretValueCommand({ SecretId: PUBLIC_KEYS, SecretString }));
    }
  } finally {
    secrets.destroy();
  }
}

/** Another e2e file may have replaced the shared secret meanwhile: republish until admitted. */
async function untilAdmitted(wsUrl: string, signer: TokenSigner, record: SigningKeyRecord, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { token } = await signer.sign({ roomId: 'warm-up', ttlSeconds: 60 });
    try {
      const client = await connect(wsUrl, tokenProtocols(token));
      await client.close();
      return;
    } catch (error) {
      if (!(error instanceof HandshakeRefused) || Date.now() > deadline) throw error;
    }
    await publishKey(record);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** Polls `read` until `done` holds or the deadline passes; returns the last value either way. */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
