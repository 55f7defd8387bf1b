import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export type Responder = (request: RecordedRequest) => { status: number; body: unknown };

export const API_KEY = 'rgk_demo_test_0123456789abcdef';

/** Mints what the fake socket server accepts: `fake.<base64url JSON {roomId, userId, n}>`. */
export function fakeToken(roomId: string, userId: string | undefined, n: number): string {
  return `fake.${Buffer.from(JSON.stringify({ roomId, userId, n })).toString('base64url')}`;
}

/**
 * A stand-in for the token API on a free loopback port: checks `x-api-key`, records every call,
 * answers like `POST /v1/tokens` unless a test swaps in another responder.
 */
export async function startFakeTokenApi(options: { socketUrl?: string } = {}) {
  const requests: RecordedRequest[] = [];
  let issued = 0;
  const standard: Responder = (request) => {
    if (request.headers['x-api-key'] !== API_KEY) return { status: 401, body: { error: { code: 'ERR_UNAUTHENTICATED', message: 'unknown API key' } } };
    issued += 1;
    const roomId = String(request.body.roomId);
    const userId = request.body.userId === undefined ? undefined : String(request.body.userId);
    return {
      status: 201,
      body: {
        token: fakeToken(roomId, userId, issued),
        expiresAt: new Date(Date.now() + 300_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        expiresIn: 300,
        roomId,
        socketUrl: options.socketUrl ?? 'ws://127.0.0.1:9/',
      },
    };
  };
  let responder = standard;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const request: RecordedRequest = {
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      };
      requests.push(request);
      const { status, body } = responder(request);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respondWith(next: Responder | undefined) {
      responder = next ?? standard;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
