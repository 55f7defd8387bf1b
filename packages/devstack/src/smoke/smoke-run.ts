import { randomBytes } from 'node:crypto';
import { SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from '@roomgate/protocol/subprotocols';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import WebSocket from 'ws';
import type { AuthorizeRequest } from './caller-auth.ts';
import { FrameInbox } from './frame-inbox.ts';

/**
 * The steps, in order, with the exit code `pnpm smoke` ends with when that step fails. The codes
 * are part of the command's interface (scripts switch on them): append, never renumber.
 */
export const SMOKE_STEPS = [
  { name: 'health', exitCode: 10, does: 'GET /healthz answers 200 {"status":"ok"}' },
  { name: 'jwks', exitCode: 11, does: 'GET /.well-known/jwks.json lists at least one key' },
  { name: 'token', exitCode: 12, does: 'POST /v1/tokens as a backend (API key or SigV4) answers 201; the token verifies with that JWKS' },
  { name: 'connect', exitCode: 13, does: 'a WebSocket opens on the socketUrl of the answer, token in the subprotocol' },
  { name: 'publish', exitCode: 14, does: 'a publish frame is acknowledged' },
  { name: 'receive', exitCode: 15, does: 'the socket receives its own message back' },
  { name: 'list', exitCode: 16, does: 'GET /v1/rooms/{room}/connections (Rooms API) lists the user' },
  { name: 'kick', exitCode: 17, does: 'DELETE /v1/rooms/{room}/users/{user} (Rooms API) disconnects at least one connection' },
  { name: 'closed', exitCode: 18, does: 'the socket receives ERR_KICKED and is closed' },
] as const;

export type SmokeStepName = (typeof SMOKE_STEPS)[number]['name'];

/** What the smoke test talks to. */
export interface SmokeTarget {
  /** the token API's base URL (no trailing slash); the Rooms API shares it */
  tokenApiUrl: string;
  /** adds the caller's credentials (API key or SigV4) to a token or Rooms API request */
  authorize: AuthorizeRequest;
}

export interface SmokeOptions {
  /** the room to use; default `smoke-<random>` (an IAM caller's patterns must cover it) */
  roomId?: string;
  /** default `smoke-<random>` */
  userId?: string;
  /** per step, in ms (list retries until then: its index is eventually consistent); default 10 000 */
  stepTimeoutMs?: number;
  /** one line per finished step */
  report: (line: string) => void;
}

export interface SmokeStepResult {
  step: SmokeStepName;
  ok: boolean;
  ms: number;
  detail: string;
}

export interface SmokeOutcome {
  results: SmokeStepResult[];
  /** 0, or the failed step's exit code (SMOKE_STEPS) */
  exitCode: number;
  failed?: SmokeStepName;
}

/**
 * Runs every step in order against `target`, stopping at the first failure, and always closes
 * the socket. Resolves (never rejects) with each step's time in ms and the exit code.
 */
export async function runSmoke(target: SmokeTarget, options: SmokeOptions): Promise<SmokeOutcome> {
  const timeoutMs = options.stepTimeoutMs ?? 10_000;
  const suffix = randomBytes(4).toString('hex');
  const roomId = options.roomId ?? `smoke-${suffix}`;
  const userId = options.userId ?? `smoke-${suffix}`;
  const nonce = randomBytes(8).toString('hex');
  const results: SmokeStepResult[] = [];
  let jwks: JSONWebKeySet | undefined;
  let grant: { token: string; socketUrl: string } | undefined;
  let ws: WebSocket | undefined;
  let inbox: FrameInbox | undefined;

  const http = async (path: string, init: { method?: string; body?: unknown; signed?: boolean } = {}) => {
    const url = new URL(path, `${target.tokenApiUrl}/`);
    const method = init.method ?? 'GET';
    const body = init.body === undefined ? undefined : JSON.stringify(init.body);
    let headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
    if (init.signed) headers = await target.authorize({ method, url, headers, ...(body !== undefined ? { body } : {}) });
    const response = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, json: json as Record<string, unknown> | undefined, text };
  };
  const expectStatus = (answer: { status: number; text: string }, status: number, what: string) => {
    if (answer.status !== status) throw new Error(`${what} answered ${answer.status} instead of ${status}: ${answer.text.slice(0, 300)}`);
  };
  const room = encodeURIComponent(roomId);

  const steps: Record<SmokeStepName, () => Promise<string>> = {
    health: async () => {
      const answer = await http('healthz');
      expectStatus(answer, 200, 'GET /healthz');
      if (answer.json?.status !== 'ok') throw new Error(`GET /healthz answered ${answer.text.slice(0, 200)}`);
      return answer.text;
    },
    jwks: async () => {
      const answer = await http('.well-known/jwks.json');
      expectStatus(answer, 200, 'GET /.well-known/jwks.json');
      const keys = (answer.json as { keys?: Array<{ kid?: string }> } | undefined)?.keys;
      if (!Array.isArray(keys) || keys.length === 0) throw new Error(`the JWKS lists no key: ${answer.text.slice(0, 200)}`);
      jwks = answer.json as unknown as JSONWebKeySet;
      return `kid ${keys.map((k) => k.kid).join(', ')}`;
    },
    token: async () => {
      const answer = await http('v1/tokens', { method: 'POST', body: { roomId, userId, ttlSeconds: 120 }, signed: true });
      expectStatus(answer, 201, 'POST /v1/tokens');
      const { token, socketUrl } = (answer.json ?? {}) as { token?: unknown; socketUrl?: unknown };
      if (typeof token !== 'string' || typeof socketUrl !== 'string')
        throw new Error(`the answer has no token or socketUrl: ${Object.keys(answer.json ?? {}).join(', ')}`);
      const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks!)).catch((error: Error) => {
        throw new Error(`the token does not verify with the served JWKS: ${error.message}`);
      });
      if (payload.sub !== roomId) throw new Error(`the token is for room ${JSON.stringify(payload.sub)}, not ${roomId}`);
      grant = { token, socketUrl };
      return `room ${roomId}, user ${userId}, kid ${protectedHeader.kid}, socket ${new URL(socketUrl).origin}${new URL(socketUrl).pathname}`;
    },
    connect: async () => {
      const socket = new WebSocket(grant!.socketUrl, [SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${grant!.token}`]);
      ws = socket;
      inbox = new FrameInbox(socket);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no handshake answer within ${timeoutMs} ms`)), timeoutMs);
        const fail = (why: string) => {
          clearTimeout(timer);
          reject(new Error(why));
        };
        socket.once('open', () => {
          clearTimeout(timer);
          resolve();
        });
        socket.once('unexpected-response', (_request, response) =>
          fail(
            `the handshake answered HTTP ${response.statusCode}${response.headers['x-roomgate-error'] ? ` ${String(response.headers['x-roomgate-error'])}` : ''}`,
          ),
        );
        socket.once('error', (error) => fail(error.message));
      });
      socket.on('error', () => {});
      return `subprotocol ${socket.protocol}`;
    },
    publish: async () => {
      ws!.send(JSON.stringify({ action: 'publish', id: 'smoke-1', data: { smoke: nonce } }));
      const frame = await inbox!.next((f) => f.id === 'smoke-1', timeoutMs, 'answer to the publish');
      if (frame.type !== 'ack') throw new Error(`the publish was answered with ${JSON.stringify(frame).slice(0, 300)}`);
      return `delivered ${String(frame.delivered)}, failed ${String(frame.failed)}, stale ${String(frame.stale)}`;
    },
    receive: async () => {
      const frame = await inbox!.next(
        (f) => f.type === 'message' && (f.data as { smoke?: unknown } | undefined)?.smoke === nonce,
        timeoutMs,
        'own message back',
      );
      return `from ${String(frame.from)}${frame.seq === undefined ? '' : `, seq ${String(frame.seq)}`}`;
    },
    list: async () => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const answer = await http(`v1/rooms/${room}/connections`, { signed: true });
        expectStatus(answer, 200, `GET /v1/rooms/${roomId}/connections`);
        const connections = (answer.json?.connections ?? []) as Array<{ userId?: string }>;
        if (connections.some((c) => c.userId === userId)) return `${connections.length} connection(s)`;
        // The room index is eventually consistent: a connection made a moment ago may be missing.
        if (Date.now() > deadline) throw new Error(`the room lists no connection of ${userId} after ${timeoutMs} ms: ${answer.text.slice(0, 200)}`);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    },
    kick: async () => {
      const answer = await http(`v1/rooms/${room}/users/${encodeURIComponent(userId)}`, { method: 'DELETE', signed: true });
      expectStatus(answer, 200, `DELETE /v1/rooms/${roomId}/users/${userId}`);
      const disconnected = Number(answer.json?.disconnected ?? 0);
      if (disconnected < 1) throw new Error(`nothing was disconnected: ${answer.text.slice(0, 200)}`);
      return `disconnected ${disconnected}, failed ${String(answer.json?.failed)}`;
    },
    closed: async () => {
      const frame = await inbox!.next((f) => f.type === 'error', timeoutMs, 'ERR_KICKED frame');
      if (frame.code !== 'ERR_KICKED') throw new Error(`expected ERR_KICKED, got ${JSON.stringify(frame).slice(0, 300)}`);
      const { code } = await inbox!.closed(timeoutMs);
      return `ERR_KICKED, close code ${code}`;
    },
  };

  try {
    for (const { name, exitCode } of SMOKE_STEPS) {
      const started = performance.now();
      let result: SmokeStepResult;
      try {
        const detail = await steps[name]();
        result = { step: name, ok: true, ms: Math.round(performance.now() - started), detail };
      } catch (error) {
        result = { step: name, ok: false, ms: Math.round(performance.now() - started), detail: describe(error) };
      }
      results.push(result);
      options.report(formatStep(result));
      if (!result.ok) return { results, exitCode, failed: name };
    }
    return { results, exitCode: 0 };
  } finally {
    if (ws && ws.readyState !== WebSocket.CLOSED) ws.terminate();
  }
}

/** `  ok    publish      41 ms  delivered 1, failed 0, stale 0` */
export function formatStep({ step, ok, ms, detail }: SmokeStepResult): string {
  return `  ${(ok ? 'ok' : 'FAIL').padEnd(5)} ${step.padEnd(8)} ${`${ms} ms`.padStart(8)}  ${detail}`;
}

function describe(error: unknown): string {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  // fetch reports "fetch failed" and keeps the reason (ECONNREFUSED, a DNS failure) in `cause`.
  const cause = err?.cause?.code ?? err?.cause?.message;
  if (err?.name === 'TimeoutError') return `no answer within the step's time limit (${err.message})`;
  return `${err?.message ?? String(error)}${cause ? ` (${cause})` : ''}`;
}
