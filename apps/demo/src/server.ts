import type { AddressInfo } from 'node:net';
import { silentLogger, type Logger } from '@roomgate/shared/runtime';
import { buildDemoApp } from './app.ts';
import { DEFAULT_DEMO_HOST, DEFAULT_DEMO_PORT } from './config.ts';
import { DemoError } from './errors.ts';
import { bundlePage } from './page-bundle.ts';
import { makeTokenProxy } from './token-proxy.ts';

export interface DemoServerOptions {
  /** Base URL of the token API, e.g. `http://127.0.0.1:4100`. */
  tokenApiUrl: string;
  /** The dev API key the demo presents to the token API. */
  apiKey: string;
  /** Default 4300; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  logger?: Logger;
  /** For tests: how the demo reaches the token API. */
  fetch?: typeof fetch;
}

export interface DemoServer {
  /** Where the page is, e.g. `http://127.0.0.1:4300/`. */
  url: string;
  port: number;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/**
 * Bundles the page and starts listening; resolves once both are done, so an embedding
 * orchestrator can print the URL right after. A taken port rejects with ERR_PORT_IN_USE.
 */
export async function startDemoServer(options: DemoServerOptions): Promise<DemoServer> {
  const logger = options.logger ?? silentLogger;
  const host = options.host ?? DEFAULT_DEMO_HOST;
  const port = options.port ?? DEFAULT_DEMO_PORT;
  const assets = await bundlePage();
  const requestToken = makeTokenProxy({
    tokenApiUrl: options.tokenApiUrl,
    apiKey: options.apiKey,
    logger,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const app = buildDemoApp({ assets, requestToken, logger });
  try {
    await app.listen({ port, host });
  } catch (error) {
    await app.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new DemoError('ERR_PORT_IN_USE', `demo page: port ${port} on ${host} is already in use (set DEMO_PORT)`, { cause: error });
    }
    throw error;
  }

  const bound = (app.server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}/`;
  logger.info('demo page listening', { url, tokenApiUrl: options.tokenApiUrl });
  return {
    url,
    port: bound,
    // Open keep-alive connections are dropped (forceCloseConnections), so this does not wait on browsers.
    close: () => app.close(),
  };
}
