import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

interface Grant {
  roomId: string;
  userId?: string;
}

/**
 * A loopback stand-in for the socket service: reads the fake token from `Sec-WebSocket-Protocol`,
 * refuses the handshake like `$connect` does (401 for a bad token, 403 for another room), and
 * fans `publish` out to the sender's room. Like a stage with history on, every message gets a
 * per-room `seq` (epoch `E1`) and is kept, and `history` answers from it (no expiry). Enough to
 * drive the page in a real browser without the whole local stack.
 */
export async function startFakeSocketServer() {
  let refuseNext = 0;
  const handshakes: Array<{ status: number; grant?: Grant }> = [];
  const grants = new WeakMap<WebSocket, Grant>();
  const histories = new Map<string, Array<{ seq: number }>>();

  const server = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    handleProtocols: (protocols) => (protocols.has('roomgate.v1') ? 'roomgate.v1' : false),
    verifyClient: (info, done) => {
      const grant = readGrant(String(info.req.headers['sec-websocket-protocol'] ?? ''));
      const requestedRoom = new URL(info.req.url ?? '/', 'ws://x').searchParams.get('room');
      const status = !grant || refuseNext > 0 ? 401 : requestedRoom !== null && requestedRoom !== grant.roomId ? 403 : 101;
      if (refuseNext > 0) refuseNext -= 1;
      handshakes.push(grant ? { status, grant } : { status });
      if (status === 101) done(true);
      else done(false, status);
    },
  });
  await new Promise<void>((resolve) => server.once('listening', resolve));

  server.on('connection', (socket, request) => {
    const grant = readGrant(String(request.headers['sec-websocket-protocol'] ?? ''))!;
    grants.set(socket, grant);
    socket.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as { action: string; id?: number; data?: unknown; since?: number };
      const reply = (body: object) => socket.send(JSON.stringify({ ...body, ...(frame.id === undefined ? {} : { id: frame.id }) }));
      const history = histories.get(grant.roomId) ?? [];
      histories.set(grant.roomId, history);
      if (frame.action === 'ping') return reply({ type: 'pong' });
      if (frame.action === 'refresh') return reply({ type: 'refreshed', tokenExpiresAt: Math.floor(Date.now() / 1000) + 300 });
      if (frame.action === 'history') {
        const since = frame.since;
        const messages = since === undefined ? [] : history.filter((m) => m.seq > since);
        return reply({
          type: 'history',
          roomId: grant.roomId,
          epoch: history.length > 0 ? 'E1' : null,
          lastSeq: history.length,
          messages,
          more: false,
          recovered: true,
        });
      }
      if (frame.action !== 'publish') return reply({ type: 'error', code: 'ERR_UNKNOWN_ACTION', message: 'unknown action' });
      const stored = {
        type: 'message',
        roomId: grant.roomId,
        seq: history.length + 1,
        epoch: 'E1',
        from: grant.userId,
        data: frame.data,
        sentAt: Math.floor(Date.now() / 1000),
      };
      history.push(stored);
      const message = JSON.stringify(stored);
      let delivered = 0;
      for (const peer of server.clients) {
        if (grants.get(peer)?.roomId !== grant.roomId) continue;
        peer.send(message);
        delivered += 1;
      }
      reply({ type: 'ack', action: 'publish', seq: stored.seq, epoch: 'E1', delivered, failed: 0, stale: 0 });
    });
  });

  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/`,
    handshakes,
    /** Refuse the next `count` handshakes with 401, as an expired or revoked token would be. */
    refuseHandshakes(count: number) {
      refuseNext = count;
    },
    /** Cuts every connection of `userId` without a close frame, like a network drop. */
    dropUser(userId: string) {
      for (const socket of server.clients) if (grants.get(socket)?.userId === userId) socket.terminate();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of server.clients) socket.terminate();
        server.close(() => resolve());
      }),
  };
}

function readGrant(header: string): Grant | undefined {
  const token = header
    .split(',')
    .map((p) => p.trim())
    .find((p) => p.startsWith('roomgate.token.'))
    ?.slice('roomgate.token.'.length);
  if (!token?.startsWith('fake.')) return undefined;
  try {
    return JSON.parse(Buffer.from(token.slice('fake.'.length), 'base64url').toString('utf8')) as Grant;
  } catch {
    return undefined;
  }
}
