import WebSocket from 'ws';

export type Frame = Record<string, unknown>;

export interface TestClient {
  ws: WebSocket;
  /** Every frame received so far, parsed. */
  frames: Frame[];
  send(frame: Frame | string): void;
  /** The first frame (received before or after the call) that matches. */
  next(match: (frame: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  close(): Promise<void>;
}

export const tokenProtocols = (token: string): string[] => ['roomgate.v1', `roomgate.token.${token}`];

/** Opens a socket; rejects with the HTTP status when the handshake is refused. */
export function connect(url: string, protocols?: string[]): Promise<TestClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    const frames: Frame[] = [];
    const waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      frames.push(frame);
      for (const waiter of [...waiters]) {
        if (waiter.match(frame)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(frame);
        }
      }
    });
    ws.once('unexpected-response', (_req, res) => {
      reject(new HandshakeRefused(res.statusCode ?? 0));
      ws.terminate();
    });
    ws.once('error', reject);
    ws.once('open', () =>
      resolve({
        ws,
        frames,
        send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
        next: (match, timeoutMs = 10_000) => {
          const seen = frames.find(match);
          if (seen) return Promise.resolve(seen);
          return new Promise((res, rej) => {
            const timer = setTimeout(() => rej(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(frames)}`)), timeoutMs);
            waiters.push({ match, resolve: (f) => (clearTimeout(timer), res(f)) });
          });
        },
        close: () =>
          new Promise((res) => {
            if (ws.readyState === WebSocket.CLOSED) return res();
            ws.once('close', () => res());
            ws.close();
          }),
      }),
    );
  });
}

export class HandshakeRefused extends Error {
  constructor(readonly statusCode: number) {
    super(`handshake refused with ${statusCode}`);
  }
}

/** Resolves the status of a refused handshake; fails the test if the socket opened. */
export async function refusedStatus(url: string, protocols?: string[]): Promise<number> {
  try {
    const client = await connect(url, protocols);
    await client.close();
  } catch (error) {
    if (error instanceof HandshakeRefused) return error.statusCode;
    throw error;
  }
  throw new Error('handshake was accepted');
}
