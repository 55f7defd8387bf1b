import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSocketStack, eventually, type SocketStack } from '../helpers/offline-stack.ts';
import { connect, refusedStatus, tokenProtocols, type TestClient } from '../helpers/ws-client.ts';

/**
 * A few hostile handshakes and frames end to end: a real WebSocket client, serverless-offline,
 * the built Lambdas, dynalite and the local Secrets Manager. The handler-level suites
 * (tests/integration/handlers/*-hardening.int.test.ts) cover the full tables; this checks that nothing between
 * the socket and the handler (offline's event mapping, the bundle) changes the outcome.
 */

let stack: SocketStack;
const clients: TestClient[] = [];

beforeAll(async () => {
  stack = await startSocketStack();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await stack?.stop();
});

const room = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;
const token = async (roomId: string) => (await stack.signer.sign({ roomId, userId: 'alice', ttlSeconds: 300 })).token;
const members = async (roomId: string) => (await stack.store.listRoom(roomId, { limit: 100 })).members.map((m) => m.connectionId);
const url = (query: string) => `${stack.offline.wsUrl}?${query}`;

async function join(roomId: string): Promise<TestClient> {
  const client = await connect(stack.offline.wsUrl, tokenProtocols(await token(roomId)));
  clients.push(client);
  return client;
}

const forgeKid = (kid: string) =>
  `${Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid })).toString('base64url')}.${Buffer.from('{}').toString('base64url')}.AAAA`;

type Attempt = (roomId: string) => Promise<{ url: string; protocols?: string[] }>;

describe('hostile handshakes through serverless-offline: refused, nothing written', () => {
  it.each<[string, Attempt, number]>([
    ['duplicated ?token= (garbage first, valid last)', async (r: string) => ({ url: url(`token=garbage&token=${await token(r)}`) }), 400],
    ['duplicated ?token= (valid for another room first)', async (r: string) => ({ url: url(`token=${await token(room('x'))}&token=${await token(r)}`) }), 400],
    ['duplicated ?room=', async (r: string) => ({ url: url(`token=${await token(r)}&room=${room('x')}&room=${r}`) }), 400],
    [
      'forged subprotocol token with a valid ?token= (tokens differ)',
      async (r: string) => ({ url: url(`token=${await token(r)}`), protocols: tokenProtocols(forgeKid('nope')) }),
      400,
    ],
    ['an 8 KB token as a subprotocol', async () => ({ url: stack.offline.wsUrl, protocols: tokenProtocols('a'.repeat(8 * 1024)) }), 401],
    ['a non-ASCII token', async () => ({ url: url(`token=${encodeURIComponent('äöü.€€€.漢字')}`) }), 401],
    ['kid with path characters', async () => ({ url: url(`token=${forgeKid('../../x')}`) }), 401],
    ['a valid token for room A with ?room=B', async (r: string) => ({ url: url(`token=${await token(r)}&room=${room('b')}`) }), 403],
  ])('%s → %i', async (_name, make, status) => {
    const r = room('hostile');
    const { url: target, protocols } = await make(r);
    expect(await refusedStatus(target, protocols)).toBe(status);
    expect(await members(r)).toEqual([]);
  });

  it('valid subprotocol token (room A) with a valid ?token= for room B → 400, neither room joined', async () => {
    const a = room('a');
    const b = room('b');
    expect(await refusedStatus(url(`token=${await token(b)}`), tokenProtocols(await token(a)))).toBe(400);
    expect(await members(a)).toEqual([]);
    expect(await members(b)).toEqual([]);
  });
});

describe('hostile frames through serverless-offline', () => {
  it('deep, huge, non-JSON and unknown frames get error frames; the connection stays up', async () => {
    const client = await join(room('frames'));
    client.send(`{"action":"publish","id":"deep","data":${'['.repeat(10_000)}${']'.repeat(10_000)}}`);
    expect(await client.next((f) => f.type === 'error' && f.code === 'ERR_MESSAGE_INVALID')).toMatchObject({
      message: expect.stringContaining('nests deeper'),
    });
    client.send('x'.repeat(1024 * 1024));
    expect(await client.next((f) => f.code === 'ERR_MESSAGE_TOO_LARGE')).toMatchObject({ type: 'error' });
    client.send('\u0000not json');
    expect(await client.next((f) => f.code === 'ERR_MESSAGE_INVALID' && f.message === 'message is not JSON')).toBeDefined();
    client.send({ action: '__proto__', id: 'u' });
    expect(await client.next((f) => f.id === 'u')).toMatchObject({ type: 'error', code: 'ERR_UNKNOWN_ACTION' });
    client.send({ action: 'ping', id: 'alive' });
    expect(await client.next((f) => f.id === 'alive')).toEqual({ type: 'pong', id: 'alive' });
  });

  // serverless-offline hands a binary frame to the handler as bytes; it used to end as
  // ERR_INTERNAL with an error-level log line. A client's bytes are never a server fault.
  it('binary frames: JSON in one is read like text, anything else is ERR_MESSAGE_INVALID at warn level', async () => {
    const client = await join(room('binary'));
    const logsBefore = stack.offline.logs().length;
    client.ws.send(Buffer.from([0xff, 0xfe, 0x00, 0x01]), { binary: true });
    expect(await client.next((f) => f.type === 'error')).toMatchObject({ code: 'ERR_MESSAGE_INVALID' });
    client.ws.send(Buffer.from('{"action":"ping","id":"bin"}'), { binary: true });
    expect(await client.next((f) => f.id === 'bin')).toEqual({ type: 'pong', id: 'bin' });
    const logs = stack.offline.logs().slice(logsBefore);
    expect(logs).toContain('frame refused');
    // Powertools levels are upper case (ERROR, CRITICAL); pino-era lines were lower case.
    expect(logs).toMatch(/"level":"WARN","message":"frame refused"/);
    expect(logs).not.toMatch(/"level":"(error|critical)"/i);
  });

  it('an oversized frame is answered with its id, so a client can fail the request at once', async () => {
    const client = await join(room('big'));
    client.send({ action: 'publish', data: 'x'.repeat(40 * 1024), id: 'big' });
    expect(await client.next((f) => f.id === 'big')).toMatchObject({ type: 'error', code: 'ERR_MESSAGE_TOO_LARGE' });
  });

  it('a publish naming another room reaches only the sender’s room', async () => {
    const a = room('a');
    const b = room('b');
    const [a1, a2] = [await join(a), await join(a)];
    const b1 = await join(b);
    a1.send({ action: 'publish', roomId: b, room: b, data: { roomId: b, text: 'sneaky' }, id: 'p' });
    expect(await a1.next((f) => f.type === 'ack')).toMatchObject({ delivered: 2, failed: 0, stale: 0, id: 'p' });
    expect(await a2.next((f) => f.type === 'message')).toMatchObject({ roomId: a, data: { roomId: b, text: 'sneaky' } });
    // b1 is alive and would have received it by now: a ping round trip follows the fan-out.
    b1.send({ action: 'ping', id: 'b' });
    await b1.next((f) => f.id === 'b');
    expect(b1.frames.filter((f) => f.type === 'message')).toEqual([]);
    expect(
      await eventually(
        () => members(b),
        (ids) => ids.length === 1,
      ),
    ).toHaveLength(1);
  });
});
