import type { IncomingMessage } from 'node:http';
import { DemoError } from './errors.ts';

/** Names the demo's own address can have: it listens on loopback only (DEMO_HOST). */
const LOOPBACK_HOSTNAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Throws 403 ERR_ORIGIN_FORBIDDEN unless the request is for a loopback `Host` and, when it carries
 * an `Origin`, comes from the demo page itself (`http://<that Host>`).
 *
 * `/api/token` mints tokens for any room with the dev API key, so a page on another site must not
 * reach it. A browser sends `Origin` on every POST, same-origin included (Fetch standard, "append a
 * request `Origin` header"), so a foreign page fails the Origin check. DNS rebinding (evil.example
 * re-resolving to 127.0.0.1) makes the browser treat the call as same-origin, but its `Host` is
 * then `evil.example:<port>`, which fails the Host check (the classic defence, as in webpack-dev-server's
 * `allowedHosts` and Vite's `server.allowedHosts`). Callers without `Origin` (curl, the tests) run
 * on this machine and could read the dev API key anyway.
 */
export function assertSameOriginLoopback(request: IncomingMessage): void {
  const host = request.headers.host ?? '';
  const hostname = /^(\[[^\]]*\]|[^:]*)(?::\d{1,5})?$/.exec(host)?.[1]?.toLowerCase();
  if (hostname === undefined || !LOOPBACK_HOSTNAMES.has(hostname)) {
    throw new DemoError('ERR_ORIGIN_FORBIDDEN', 'the demo answers only requests for its loopback address (Host 127.0.0.1, localhost or [::1])', {
      status: 403,
    });
  }
  const origin = request.headers.origin;
  if (origin !== undefined && origin.toLowerCase() !== `http://${host.toLowerCase()}`) {
    throw new DemoError('ERR_ORIGIN_FORBIDDEN', 'tokens are issued only to the demo page itself (same origin)', { status: 403 });
  }
}
