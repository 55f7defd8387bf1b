import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { createFakeHistory, type Joined } from './fake-history.ts';

/**
 * A loopback stand-in for the socket service speaking the roomgate protocol: tokens ride in
 * `Sec-WebSocket-Protocol`, a token starting with `bad` is refused with 401 at the handshake,
 * `publish` fans out to every connection and is acked, `ping` is answered with `pong`. With
 * `history`, every message is stored first (seq/epoch on frames and acks) and the `history`
 * action answers from that store as history-spec.md fixes it.
 */
export async function startRoomServer({ history: keepHistory = false } = {}) {
  const history = createFakeHistory('lobby');
  const handshakes: string[] = [];
  const server = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    handleProtocols: (protocols) => (protocols.has('roomgate.v1') ? 'roomgate.v1' : false),
    verifyClient: (info, done) => {
      const offered = String(info.req.headers['sec-websocket-protocol'] ?? '')
        .split(',')
        .map((p) => p.trim());
      const token = offered.find((p) => p.startsWith('roomgate.token.'))?.slice('roomgate.token.'.length) ?? '';
      handshakes.push(token);
      if (token === '' || token.startsWith('bad')) done(false, 401);
      else done(true);
    },
  });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const users = new WeakMap<WebSocket, string>();
  const joins = new WeakMap<WebSocket, Joined>();

  server.on('connection', (socket, request) => {
    users.set(socket, String(request.headers['sec-websocket-protocol']).split('roomgate.token.')[1] ?? '');
    joins.set(socket, history.join());
    socket.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as { action: string; id?: number; data?: unknown; epoch?: string; since?: number };
      if (frame.action === 'ping') socket.send(JSON.stringify({ type: 'pong', id: frame.id }));
      if (frame.action === 'history') {
        const reply = keepHistory
          ? history.reply(frame, joins.get(socket))
          : { type: 'error', code: 'ERR_HISTORY_DISABLED', message: 'no history', id: frame.id };
        socket.send(JSON.stringify(reply));
      }
      if (frame.action === 'publish') {
        const sent = publish(frame.data, users.get(socket));
        socket.send(JSON.stringify({ type: 'ack', action: 'publish', ...sent, failed: 0, stale: 0, id: frame.id }));
      }
    });
  });

  /** Stores (with history) then fans out to every connection; returns what an ack reports. */
  function publish(data: unknown, from?: string) {
    const frame = keepHistory ? history.publish(data, from) : { type: 'message', roomId: 'lobby', from, data, sentAt: 1 };
    const text = JSON.stringify(frame);
    for (const peer of server.clients) peer.send(text);
    const position = keepHistory ? { seq: history.lastSeq(), epoch: history.epoch } : {};
    return { ...position, delivered: server.clients.size };
  }

  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/`,
    handshakes,
    connections: () => server.clients.size,
    /** A backend publish (the Rooms API's path). */
    publish: (data: unknown) => publish(data),
    /** Cuts every connection without a close frame, like a network drop or `DeleteConnection`. */
    dropAll: () => {
      for (const client of server.clients) client.terminate();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}
