import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A loopback stand-in for the socket service speaking the roomgate protocol: tokens ride in
 * `Sec-WebSocket-Protocol`, a token starting with `bad` is refused with 401 at the handshake,
 * `publish` fans out to every connection and is acked, `ping` is answered with `pong`.
 */
export async function startRoomServer() {
  const handshakes: string[] = [];
  const server = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    handleProtocols: (protocols) => (protocols.has('roomgate.v1') ? 'roomgate.v1' : false),
    verifyClient: (info, done) => {
      const offered = String(info.req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
      const token = offered.find((p) => p.startsWith('roomgate.token.'))?.slice('roomgate.token.'.length) ?? '';
      handshakes.push(token);
      if (token === '' || token.startsWith('bad')) done(false, 401);
      else done(true);
    },
  });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const users = new WeakMap<WebSocket, string>();

  server.on('connection', (socket, request) => {
    users.set(socket, String(request.headers['sec-websocket-protocol']).split('roomgate.token.')[1] ?? '');
    socket.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as { action: string; id?: number; data?: unknown };
      if (frame.action === 'ping') socket.send(JSON.stringify({ type: 'pong', id: frame.id }));
      if (frame.action === 'publish') {
        const message = JSON.stringify({ type: 'message', roomId: 'lobby', from: users.get(socket), data: frame.data, sentAt: 1 });
        for (const peer of server.clients) peer.send(message);
        socket.send(JSON.stringify({ type: 'ack', action: 'publish', delivered: server.clients.size, failed: 0, stale: 0, id: frame.id }));
      }
    });
  });

  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/`,
    handshakes,
    connections: () => server.clients.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}
