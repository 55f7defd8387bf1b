import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ManagementServer {
  endpoint: string;
  /** Connections that accept posts. Anything else answers 410. */
  live: Set<string>;
  /** Connections whose posts fail with this status (e.g. 500, 429). */
  broken: Map<string, number>;
  received: { connectionId: string; body: string }[];
  deleted: string[];
  close(): Promise<void>;
}

/**
 * API Gateway's `@connections` management API, just enough of it: POST and DELETE per connection.
 * `gone: 'bare'` answers 410 with no body or error type, as serverless-offline does; `'typed'`
 * answers like AWS, with `x-amzn-errortype: GoneException`.
 */
export async function startManagementServer(options: { gone: 'bare' | 'typed' } = { gone: 'bare' }): Promise<ManagementServer> {
  const live = new Set<string>();
  const broken = new Map<string, number>();
  const received: ManagementServer['received'] = [];
  const deleted: string[] = [];

  const server: Server = createServer(async (req, res) => {
    const match = /^(?:\/[^@]*)?\/@connections\/([^/?]+)/.exec(req.url ?? '');
    const connectionId = match ? decodeURIComponent(match[1]!) : undefined;
    const body = await readBody(req);
    if (!connectionId) return void res.writeHead(404).end();
    const failure = broken.get(connectionId);
    if (failure !== undefined) {
      return void res.writeHead(failure, { 'content-type': 'application/json', 'x-amzn-errortype': 'InternalServerError' }).end('{"message":"boom"}');
    }
    if (!live.has(connectionId)) {
      if (options.gone === 'bare') return void res.writeHead(410).end();
      return void res.writeHead(410, { 'content-type': 'application/json', 'x-amzn-errortype': 'GoneException' }).end('{"message":"gone"}');
    }
    if (req.method === 'POST') received.push({ connectionId, body });
    if (req.method === 'DELETE') {
      live.delete(connectionId);
      deleted.push(connectionId);
      return void res.writeHead(204).end();
    }
    res.writeHead(200).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    live,
    broken,
    received,
    deleted,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
