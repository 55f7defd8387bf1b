import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PresenceEvent } from '../../src/index.ts';
import { FakeWebSocket } from '../helpers/fake-web-socket.ts';
import { openClient, setupClient } from '../helpers/harness.ts';

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
  FakeWebSocket.reset();
});
afterEach(() => vi.useRealTimers());

describe('presence', () => {
  it('emits presence events for join and leave frames, and ignores malformed ones', async () => {
    const { client, errors } = setupClient();
    const seen: PresenceEvent[] = [];
    client.on('presence', (event) => seen.push(event));
    const socket = await openClient(client);
    socket.receive({ type: 'presence', event: 'join', roomId: 'lobby', userId: 'bob', at: 10 });
    socket.receive({ type: 'presence', event: 'leave', roomId: 'lobby', at: 11 });
    socket.receive(JSON.stringify({ type: 'presence', event: 'wave', roomId: 'lobby', at: 12 }));
    expect(seen).toEqual([
      { roomId: 'lobby', event: 'join', userId: 'bob', at: 10 },
      { roomId: 'lobby', event: 'leave', at: 11 },
    ]);
    expect(errors).toEqual([]);
  });

  it('members() asks with the members action and resolves with the reply', async () => {
    const { client } = setupClient();
    const socket = await openClient(client);
    const listing = client.members();
    expect(socket.sentOf('members')).toEqual([{ action: 'members', id: expect.anything() }]);
    socket.reply('members', { type: 'members', roomId: 'lobby', members: ['alice', 'bob'], count: 3 });
    await expect(listing).resolves.toEqual({ roomId: 'lobby', members: ['alice', 'bob'], count: 3, truncated: false });
  });

  it('members() rejects with the server code without the presence capability', async () => {
    const { client } = setupClient();
    const socket = await openClient(client);
    const listing = client.members();
    socket.reply('members', { type: 'error', code: 'ERR_CAPABILITY_FORBIDDEN', message: 'token does not grant presence' });
    await expect(listing).rejects.toMatchObject({ code: 'ERR_CAPABILITY_FORBIDDEN' });
  });
});
