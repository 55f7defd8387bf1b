import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { localClientConfig } from '@roomgate/local-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionGoneError, DeliveryFailedError } from '../../../src/errors.ts';
import { createManagementApi, isGone } from '../../../src/delivery/management-api.ts';
import { startManagementServer, type ManagementServer } from '../../helpers/management-server.ts';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

describe.each(['bare', 'typed'] as const)('management API against a local @connections server (410 %s)', (gone) => {
  let server: ManagementServer;
  let client: ApiGatewayManagementApiClient;

  beforeAll(async () => {
    server = await startManagementServer({ gone });
    client = new ApiGatewayManagementApiClient({ ...localClientConfig(server.endpoint), maxAttempts: 1 });
  });
  afterAll(async () => {
    client.destroy();
    await server.close();
  });

  it('posts to a live connection', async () => {
    server.live.add('live-1');
    await createManagementApi({ client }).post('live-1', '{"type":"pong"}');
    expect(server.received).toContainEqual({ connectionId: 'live-1', body: '{"type":"pong"}' });
  });

  it('turns a 410 into ConnectionGoneError naming the connection', async () => {
    const error = await createManagementApi({ client })
      .post('gone-1', 'x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionGoneError);
    expect(error).toMatchObject({ code: 'ERR_CONNECTION_GONE', connectionId: 'gone-1' });
    expect(isGone((error as ConnectionGoneError).cause)).toBe(true);
  });

  it('turns other failures into DeliveryFailedError with the status', async () => {
    server.broken.set('broken-1', 500);
    const error = await createManagementApi({ client })
      .post('broken-1', 'x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryFailedError);
    expect(error).toMatchObject({ connectionId: 'broken-1', httpStatusCode: 500 });
  });

  it('closes via DeleteConnection; closing a gone connection is not an error', async () => {
    server.live.add('live-2');
    const api = createManagementApi({ client });
    expect(await api.close('live-2')).toBe(true);
    expect(server.deleted).toContain('live-2');
    expect(await api.close('live-2')).toBe(false);
  });
});

describe('createManagementApi', () => {
  it('builds its client from the configured endpoint', async () => {
    const server = await startManagementServer();
    server.live.add('c');
    const api = createManagementApi({ endpoint: server.endpoint, clientConfig: { region: 'us-east-1', credentials } });
    await api.post('c', new TextEncoder().encode('bytes'));
    expect(server.received).toEqual([{ connectionId: 'c', body: 'bytes' }]);
    await server.close();
  });
});
