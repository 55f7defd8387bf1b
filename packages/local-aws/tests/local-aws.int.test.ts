import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { localClientConfig, startLocalAws } from '../src/local-aws.ts';
import { ensureTable } from '../src/table.ts';
import { dynamoClient, secretsClient } from './helpers/clients.ts';

const occupy = (port = 0): Promise<Server> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject).listen(port, '127.0.0.1', () => resolve(server));
  });
const portOf = (server: Server) => (server.address() as AddressInfo).port;
const release = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

describe('localClientConfig', () => {
  it('points an SDK client at a local endpoint with dummy credentials', () => {
    expect(localClientConfig('http://127.0.0.1:1234')).toEqual({
      endpoint: 'http://127.0.0.1:1234',
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });
});

describe('startLocalAws', () => {
  it('starts both services on distinct free ports and persists both in persistDir', async () => {
    const persistDir = mkdtempSync(join(tmpdir(), 'roomgate-local-'));
    try {
      const first = await startLocalAws({ persistDir });
      expect(first.dynamoEndpoint).not.toBe(first.secretsEndpoint);
      const ddb = dynamoClient(first.dynamoEndpoint);
      const sm = secretsClient(first.secretsEndpoint);
      await ensureTable(ddb, 'persisted');
      await ddb.send(new PutItemCommand({ TableName: 'persisted', Item: { connectionId: { S: 'c' }, roomId: { S: 'r' } } }));
      await sm.send(new CreateSecretCommand({ Name: 'roomgate/dev/x', SecretString: 'kept' }));
      ddb.destroy();
      sm.destroy();
      await first.close();

      const second = await startLocalAws({ persistDir });
      const ddb2 = dynamoClient(second.dynamoEndpoint);
      const sm2 = secretsClient(second.secretsEndpoint);
      const { Item } = await ddb2.send(new GetItemCommand({ TableName: 'persisted', Key: { connectionId: { S: 'c' } } }));
      expect(Item?.roomId).toEqual({ S: 'r' });
      expect((await sm2.send(new GetSecretValueCommand({ SecretId: 'roomgate/dev/x' }))).SecretString).toBe('kept');
      ddb2.destroy();
      sm2.destroy();
      await second.close();
    } finally {
      rmSync(persistDir, { recursive: true, force: true });
    }
  });

  it('releases the DynamoDB port when Secrets Manager cannot start', async () => {
    const probe = await occupy();
    const dynamoPort = portOf(probe);
    await release(probe);
    const blocker = await occupy();
    try {
      await expect(startLocalAws({ dynamoPort, secretsPort: portOf(blocker) })).rejects.toMatchObject({ code: 'EADDRINUSE' });
      const reused = await occupy(dynamoPort);
      await release(reused);
    } finally {
      await release(blocker);
    }
  });
});
