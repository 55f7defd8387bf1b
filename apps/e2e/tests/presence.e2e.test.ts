import { createRoomClient, type PresenceEvent, type RoomClient } from '@roomgate/client';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeDevPorts, startPnpmDev, stopDev, type DevProcess } from './helpers/dev-process.ts';
import { until } from './helpers/room-members.ts';

/**
 * Issue 16 ("Live presence and lifecycle events") through `pnpm dev --events` as a user starts it:
 * the token API, the socket service under serverless-offline, dynalite, the local EventBridge,
 * and `@roomgate/client` over `ws`. Loopback only.
 */

let dev: DevProcess;
const clients: RoomClient[] = [];
const run = Math.random().toString(36).slice(2, 8);

beforeAll(async () => {
  dev = await startPnpmDev(['--events', ...(await freeDevPorts()).args], 200_000);
});

afterAll(async () => {
  for (const client of clients) client.close();
  await stopDev(dev);
});

async function connect(roomId: string, userId: string, capabilities: string[]): Promise<{ client: RoomClient; presence: PresenceEvent[] }> {
  const client = createRoomClient({
    WebSocket,
    roomId,
    getToken: async () => {
      const response = await fetch(`${dev.banner.tokenApiUrl}/v1/tokens`, {
        method: 'POST',
        headers: { 'x-api-key': dev.banner.devApiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ roomId, userId, capabilities }),
      });
      if (response.status !== 201) throw new Error(`POST /v1/tokens answered ${response.status}`);
      return (await response.json()) as { token: string; socketUrl: string; expiresAt: string; expiresIn: number };
    },
  });
  clients.push(client);
  const presence: PresenceEvent[] = [];
  client.on('presence', (event) => presence.push(event));
  await client.connect();
  return { client, presence };
}

/** The user ids the Rooms API lists for the room (what a backend polling the listing sees). */
async function listedUsers(roomId: string): Promise<string[]> {
  const response = await fetch(`${dev.banner.tokenApiUrl}/v1/rooms/${roomId}/connections`, { headers: { 'x-api-key': dev.banner.devApiKey } });
  const body = (await response.json()) as { connections: Array<{ userId?: string }> };
  return [...new Set(body.connections.flatMap((c) => (c.userId === undefined ? [] : [c.userId])))].sort();
}

/** The `--events` lines pnpm dev printed for this room: `[detail-type, detail]`. */
function eventsFor(roomId: string): Array<[string, Record<string, unknown>]> {
  return dev
    .output()
    .split('\n')
    .map((line) => /roomgate\.[a-z.]+ \{.*\}$/.exec(line)?.[0])
    .filter((text): text is string => text !== undefined)
    .map((text): [string, Record<string, unknown>] => {
      const space = text.indexOf(' ');
      return [text.slice(0, space), JSON.parse(text.slice(space + 1)) as Record<string, unknown>];
    })
    .filter(([, detail]) => detail.roomId === roomId);
}

describe('presence and lifecycle events, through pnpm dev --events', () => {
  it('a presence-capable member sees another member join and leave; members() and the listing match the live set; open, publish and close events print', async () => {
    const roomId = `presence-${run}`;
    const alice = await connect(roomId, 'alice', ['subscribe', 'publish', 'presence']);
    expect(await alice.client.members()).toMatchObject({ roomId, members: ['alice'], count: 1, truncated: false });

    const bob = await connect(roomId, 'bob', ['subscribe', 'publish']);
    await until(
      () => alice.presence.some((p) => p.event === 'join' && p.userId === 'bob'),
      () => JSON.stringify(alice.presence),
    );
    const members = await alice.client.members();
    expect(members).toMatchObject({ members: ['alice', 'bob'], count: 2 });
    expect(await listedUsers(roomId)).toEqual(members.members);

    // bob has no `presence`: he may not list the room.
    await expect(bob.client.members()).rejects.toMatchObject({ code: 'ERR_CAPABILITY_FORBIDDEN' });
    await bob.client.publish({ text: 'hi' });

    bob.client.close();
    await until(
      () => alice.presence.some((p) => p.event === 'leave' && p.userId === 'bob'),
      () => JSON.stringify(alice.presence),
      15_000,
    );
    expect(alice.presence.map((p) => `${p.event} ${p.userId}`)).toEqual(['join bob', 'leave bob']);
    expect(await alice.client.members()).toMatchObject({ members: ['alice'], count: 1 });
    expect(await listedUsers(roomId)).toEqual(['alice']);

    await until(
      () => eventsFor(roomId).some(([type]) => type === 'roomgate.connection.closed'),
      () => dev.output().slice(-2000),
      10_000,
    );
    const events = eventsFor(roomId);
    expect(events).toEqual(
      expect.arrayContaining([
        [
          'roomgate.connection.opened',
          expect.objectContaining({ stage: 'local', roomId, userId: 'alice', capabilities: ['subscribe', 'publish', 'presence'] }),
        ],
        ['roomgate.connection.opened', expect.objectContaining({ roomId, userId: 'bob' })],
        ['roomgate.message.published', expect.objectContaining({ roomId, origin: 'client', from: 'bob', delivered: 2, failed: 0, stale: 0 })],
        ['roomgate.connection.closed', expect.objectContaining({ roomId, userId: 'bob', reason: 'disconnect' })],
      ]),
    );
    // Never a body, a token or a connection id.
    expect(JSON.stringify(events)).not.toMatch(/"text"|"hi"|token|connectionId/);
  }, 60_000);
});
