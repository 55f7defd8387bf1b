import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Listening {
  endpoint: string;
  port: number;
}

/** Listens on `port` (0 picks a free one) and resolves with the URL a client should use. */
export function listen(server: Server, port: number, host: string): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const actual = (server.address() as AddressInfo).port;
      resolve({ endpoint: `http://${clientHost(host)}:${actual}`, port: actual });
    });
  });
}

/**
 * SDK clients keep sockets alive between calls; without dropping them, `close()` would wait for
 * every client in the process to go idle and time out.
 */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

function clientHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
