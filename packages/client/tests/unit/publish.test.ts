import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket } from '../helpers/fake-web-socket.ts';
import { openClient, setupClient } from '../helpers/harness.ts';

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
  FakeWebSocket.reset();
});
afterEach(() => vi.useRealTimers());

describe('publish', () => {
  it('matches acks to publishes by id, in any order', async () => {
    const { client } = setupClient();
    const socket = await openClient(client);
    const a = client.publish({ text: 'a' });
    const b = client.publish({ text: 'b' });
    const [first, second] = socket.sentOf('publish');
    expect(first).toMatchObject({ action: 'publish', data: { text: 'a' } });
    expect(first?.id).not.toBe(second?.id);

    socket.receive({ type: 'ack', action: 'publish', delivered: 2, failed: 0, stale: 1, id: second!.id });
    socket.receive({ type: 'ack', action: 'publish', delivered: 3, failed: 1, stale: 0, id: first!.id });
    await expect(a).resolves.toEqual({ delivered: 3, failed: 1, stale: 0 });
    await expect(b).resolves.toEqual({ delivered: 2, failed: 0, stale: 1 });
  });

  it('tells a queued publish into a large room from a delivered one, and passes the publishId on', async () => {
    const { client } = setupClient();
    const socket = await openClient(client);
    const big = client.publish({ text: 'to everyone' });
    const small = client.publish({ text: 'to a few' });
    const [first, second] = socket.sentOf('publish');
    const publishId = 'AAAAAAAAAAAAAAAAAAAAAA';
    socket.receive({ type: 'ack', action: 'publish', publishId, queued: { shards: 4 }, delivered: 0, failed: 0, stale: 0, seq: 7, epoch: 'e1', id: first!.id });
    socket.receive({ type: 'ack', action: 'publish', publishId: 'BBBBBBBBBBBBBBBBBBBBBB', delivered: 2, failed: 0, stale: 0, id: second!.id });
    await expect(big).resolves.toEqual({ publishId, queued: true, delivered: 0, failed: 0, stale: 0, seq: 7, epoch: 'e1' });
    await expect(small).resolves.toEqual({ publishId: 'BBBBBBBBBBBBBBBBBBBBBB', delivered: 2, failed: 0, stale: 0 });
  });

  it('rejects with ERR_RATE_LIMITED when the server refused the publish for its rate', async () => {
    const { client } = setupClient();
    const socket = await openClient(client);
    const publishing = client.publish({ text: 'hi' });
    socket.reply('publish', { type: 'error', code: 'ERR_RATE_LIMITED', message: 'publish rate limit exceeded' });
    await expect(publishing).rejects.toMatchObject({ code: 'ERR_RATE_LIMITED' });
    expect(client.state).toBe('open');
  });

  it('rejects with the server code when the error frame carries the publish id', async () => {
    const { client, errors } = setupClient();
    const socket = await openClient(client);
    const publishing = client.publish('x');
    socket.reply('publish', { type: 'error', code: 'ERR_CAPABILITY_FORBIDDEN', message: 'token does not grant publish' });
    await expect(publishing).rejects.toMatchObject({ code: 'ERR_CAPABILITY_FORBIDDEN', message: 'token does not grant publish' });
    expect(errors).toEqual([]); // answered a request: not also an unsolicited error
  });

  it('times out without an ack, and a late ack is ignored', async () => {
    const { client, errors } = setupClient({ requestTimeoutMs: 2_000 });
    const socket = await openClient(client);
    const publishing = client.publish('x');
    const outcome = expect(publishing).rejects.toMatchObject({ code: 'ERR_REQUEST_TIMEOUT' });
    await vi.advanceTimersByTimeAsync(2_000);
    await outcome;
    socket.reply('publish', { type: 'ack', action: 'publish', delivered: 1, failed: 0, stale: 0 });
    expect(errors).toEqual([]);
    expect(client.state).toBe('open');
  });

  it('refuses to publish while not open', async () => {
    const { client } = setupClient();
    await expect(client.publish('x')).rejects.toMatchObject({ code: 'ERR_NOT_OPEN' });
  });

  it("refuses a message over API Gateway's 128 KB limit before sending it", async () => {
    const { client } = setupClient();
    const socket = await openClient(client);
    await expect(client.publish('x'.repeat(128 * 1024))).rejects.toMatchObject({ code: 'ERR_MESSAGE_TOO_LARGE' });
    expect(socket.sentOf('publish')).toEqual([]);
  });

  it('refuses data nested deeper than the server accepts before sending it (16,000 levels included)', async () => {
    const { client } = setupClient();
    const socket = await openClient(client);
    for (const levels of [64, 16_000]) {
      const data: unknown = JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`);
      await expect(client.publish(data)).rejects.toMatchObject({ code: 'ERR_MESSAGE_INVALID' });
    }
    expect(socket.sentOf('publish')).toEqual([]);
  });

  it('rejects pending publishes when the connection drops', async () => {
    const { client } = setupClient();
    const socket = await openClient(client);
    const publishing = client.publish('x');
    socket.drop();
    await expect(publishing).rejects.toMatchObject({ code: 'ERR_CONNECTION_LOST' });
    client.close();
  });
});
