import { connect } from 'node:net';
import WebSocket from 'ws';

/** Resolves true once `check` does; false after `timeoutMs` or as soon as `gaveUp` says so. */
export async function waitUntil(
  check: () => Promise<boolean> | boolean,
  options: { timeoutMs: number; intervalMs?: number; gaveUp?: () => boolean },
): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (options.gaveUp?.()) return false;
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
  }
}

export function tcpAccepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The status of one request, or 0 when nothing answered within `timeoutMs`. */
export async function httpStatus(url: string, init: RequestInit = {}, timeoutMs = 10_000): Promise<number> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

/**
 * Opens a WebSocket the way a browser does (token in `Sec-WebSocket-Protocol`) and closes it:
 * proves the socket service verifies tokens from this token API, and warms its Lambdas so the
 * first person to open the demo page does not wait for a cold start.
 */
export function webSocketHandshake(url: string, token: string, timeoutMs = 15_000): Promise<{ ok: true } | { ok: false; reason: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, ['roomgate.v1', `roomgate.token.${token}`]);
    const timer = setTimeout(() => finish({ ok: false, reason: `no handshake answer within ${timeoutMs} ms` }), timeoutMs);
    const finish = (result: { ok: true } | { ok: false; reason: string }) => {
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => {});
      if (ws.readyState === WebSocket.OPEN) ws.close(1000);
      else ws.terminate();
      resolve(result);
    };
    ws.once('open', () => finish({ ok: true }));
    ws.once('unexpected-response', (_request, response) => finish({ ok: false, reason: `handshake answered HTTP ${response.statusCode}` }));
    ws.once('error', (error) => finish({ ok: false, reason: error.message }));
  });
}
