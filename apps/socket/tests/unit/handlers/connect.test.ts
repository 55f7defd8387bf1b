import { ConfigError, DeliveryFailedError, KeyUnavailableError, StoreUnavailableError, TokenNotYetValidError } from '@roomgate/shared/errors';
import { describe, expect, it } from 'vitest';
import type { WebSocketConnectEvent } from '../../../src/events.ts';
import { makeConnectHandler } from '../../../src/handlers/connect.ts';
import { createMetrics } from '@roomgate/shared/runtime';
import { admitAll, NOW, expiredToken, fakeVerifier, grant, memoryLogger, memoryStore } from '../../helpers/fakes.ts';

const verifier = fakeVerifier({
  good: grant(),
  'room-b': grant({ roomId: 'room-b' }),
  'publish-only': grant({ capabilities: ['publish'] }),
  'subscribe-only': grant({ capabilities: ['subscribe'] }),
  expired: expiredToken,
  future: new TokenNotYetValidError(),
  'keys-down': new KeyUnavailableError(),
  boom: new Error('socket hang up'),
  'bad-config': new ConfigError(['ROOMGATE_PUBLIC_KEYS_SECRET_ID is required']),
  'delivery-failed': new DeliveryFailedError('conn-9', { httpStatusCode: 500 }),
});

function setup() {
  const store = memoryStore();
  const logger = memoryLogger();
  const handler = makeConnectHandler({ admission: admitAll, verifier, store, logger, clock: () => NOW });
  return { store, logger, handler };
}

function event(options: { protocols?: string; query?: Record<string, string>; multi?: boolean } = {}): WebSocketConnectEvent {
  const headers = options.protocols === undefined ? {} : { 'Sec-WebSocket-Protocol': options.protocols };
  return {
    requestContext: { connectionId: 'conn-1', routeKey: '$connect', eventType: 'CONNECT' },
    ...(options.multi ? { multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.split(', ')])) } : { headers }),
    queryStringParameters: options.query ?? null,
  };
}

const body = (result: { body?: string }) => JSON.parse(result.body ?? '{}') as { error: { code: string; message: string } };

describe('$connect', () => {
  it('admits a token offered as a subprotocol, echoes roomgate.v1 (never the token) and records the connection', async () => {
    const { store, handler } = setup();
    const result = await handler(event({ protocols: 'roomgate.v1, roomgate.token.good' }));
    expect(result).toEqual({ statusCode: 200, headers: { 'Sec-WebSocket-Protocol': 'roomgate.v1' } });
    expect(store.table.get('conn-1')).toEqual({
      connectionId: 'conn-1',
      roomId: 'room-a',
      userId: 'alice',
      capabilities: ['subscribe', 'publish'],
      connectedAt: NOW,
      tokenExpiresAt: NOW + 300,
      tokenIssuedAt: NOW - 10,
      expiresAt: NOW + 8100,
    });
  });

  it('reads the subprotocol from multiValueHeaders too', async () => {
    const { handler } = setup();
    const result = await handler(event({ protocols: 'roomgate.v1, roomgate.token.good', multi: true }));
    expect(result.statusCode).toBe(200);
  });

  it('admits ?token= (the source article way) without echoing a subprotocol', async () => {
    const { store, handler } = setup();
    expect(await handler(event({ query: { token: 'good' } }))).toEqual({ statusCode: 200 });
    expect(store.table.has('conn-1')).toBe(true);
  });

  it('refuses a subprotocol token that differs from ?token=, writing nothing', async () => {
    const { store, handler } = setup();
    const result = await handler(event({ protocols: 'roomgate.v1, roomgate.token.room-b', query: { token: 'good' } }));
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body!).error.code).toBe('ERR_VALIDATION');
    expect(store.table.size).toBe(0);
  });

  it('admits the same token sent both ways (IAM mode signs ?token=)', async () => {
    const { store, handler } = setup();
    await handler(event({ protocols: 'roomgate.v1, roomgate.token.room-b', query: { token: 'room-b' } }));
    expect(store.table.get('conn-1')?.roomId).toBe('room-b');
  });

  it('admits a matching ?room=', async () => {
    const { handler } = setup();
    expect((await handler(event({ query: { token: 'good', room: 'room-a' } }))).statusCode).toBe(200);
  });

  it.each([
    ['no token at all', event(), 401, 'ERR_TOKEN_MISSING'],
    ['only roomgate.v1', event({ protocols: 'roomgate.v1' }), 401, 'ERR_TOKEN_MISSING'],
    ['token subprotocol without roomgate.v1', event({ protocols: 'roomgate.token.good' }), 400, 'ERR_VALIDATION'],
    ['an expired token', event({ protocols: 'roomgate.v1, roomgate.token.expired' }), 401, 'ERR_TOKEN_EXPIRED'],
    ['a not-yet-valid token', event({ query: { token: 'future' } }), 401, 'ERR_TOKEN_NOT_YET_VALID'],
    ['a forged token', event({ query: { token: 'forged' } }), 401, 'ERR_TOKEN_INVALID'],
    ['a token for another room', event({ query: { token: 'room-b', room: 'room-a' } }), 403, 'ERR_ROOM_FORBIDDEN'],
    ['a token without subscribe', event({ query: { token: 'publish-only' } }), 403, 'ERR_CAPABILITY_FORBIDDEN'],
    ['keys that cannot be loaded', event({ query: { token: 'keys-down' } }), 503, 'ERR_KEY_UNAVAILABLE'],
    ['an unexpected failure', event({ query: { token: 'boom' } }), 500, 'ERR_INTERNAL'],
  ])('refuses %s with %i %s and writes nothing', async (_name, input, status, code) => {
    const { store, handler } = setup();
    const result = await handler(input);
    expect(result.statusCode).toBe(status);
    expect(result.headers?.['x-roomgate-error']).toBe(code);
    expect(body(result).error.code).toBe(code);
    expect(store.table.size).toBe(0);
  });

  it('tells the client to fetch a fresh token when it expired', async () => {
    const { handler } = setup();
    const result = await handler(event({ query: { token: 'expired' } }));
    expect(body(result).error).toEqual({ code: 'ERR_TOKEN_EXPIRED', message: 'token has expired' });
  });

  it('refuses with 503 when the row cannot be written: never an untracked connection', async () => {
    const { store, logger, handler } = setup();
    store.fail.put = new StoreUnavailableError('connection store put failed', { cause: new Error('ProvisionedThroughputExceeded') });
    const result = await handler(event({ query: { token: 'good' } }));
    expect(result.statusCode).toBe(503);
    expect(body(result).error).toEqual({ code: 'ERR_STORE_UNAVAILABLE', message: 'service temporarily unavailable, retry' });
    expect(logger.lines.at(-1)).toMatchObject({ level: 'error', msg: 'connect refused' });
  });

  it('with history on, refuses with 503 when the join position cannot be read, and writes no row', async () => {
    // Throttling on the history table: no local server produces it, so this fake is the one mock.
    const store = memoryStore();
    const history = { lastPosition: async () => Promise.reject(new StoreUnavailableError('history store query failed')) };
    const handler = makeConnectHandler({ verifier, store, history, admission: admitAll, logger: memoryLogger(), clock: () => NOW });
    const result = await handler(event({ query: { token: 'good' } }));
    expect(result.statusCode).toBe(503);
    expect(body(result).error.code).toBe('ERR_STORE_UNAVAILABLE');
    expect(store.table.size).toBe(0);
  });

  it('hides internals in 5xx bodies', async () => {
    const { handler } = setup();
    const result = await handler(event({ query: { token: 'boom' } }));
    expect(result.body).not.toContain('socket hang up');
  });

  // toPublicError (issue 12): a roomgate error that is neither the client's doing nor an outage is
  // a fault of roomgate; it used to go out under its own code with the outage text.
  it.each(['bad-config', 'delivery-failed'])('answers a server-side %s as 500 ERR_INTERNAL, logged at error', async (token) => {
    const { handler, logger } = setup();
    const result = await handler(event({ query: { token } }));
    expect(result.statusCode).toBe(500);
    expect(result.headers?.['x-roomgate-error']).toBe('ERR_INTERNAL');
    expect(body(result).error).toEqual({ code: 'ERR_INTERNAL', message: 'internal error' });
    expect(logger.lines.filter((line) => line.level === 'error')).toHaveLength(1);
  });

  it('never logs the token', async () => {
    const { logger, handler } = setup();
    const secret = 'good';
    await handler(event({ protocols: `roomgate.v1, roomgate.token.${secret}` }));
    await handler(event({ query: { token: 'expired' } }));
    const text = JSON.stringify(logger.lines);
    expect(text).not.toMatch(/roomgate\.token\.|"good"|"expired"/);
    expect(logger.lines[0]?.fields.token).toMatch(/^sha256:[0-9a-f]{12}$/);
  });
});

describe('$connect metrics (EMF)', () => {
  function withMetrics() {
    const lines: Record<string, unknown>[] = [];
    const metrics = createMetrics({ service: 'roomgate-socket', write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    const handler = makeConnectHandler({ admission: admitAll, verifier, store: memoryStore(), logger: memoryLogger(), metrics, clock: () => NOW });
    return { handler, metrics, lines };
  }

  it('counts an admitted connection, and a refusal by its public code (never a room, user or connection id)', async () => {
    const { handler, metrics, lines } = withMetrics();
    await handler(event({ protocols: 'roomgate.v1, roomgate.token.good' }));
    await handler(event({ protocols: 'roomgate.v1, roomgate.token.expired' }));
    await handler(event({ protocols: 'roomgate.v1, roomgate.token.keys-down' }));
    metrics.flush();
    expect(lines.find((l) => 'ConnectAccepted' in l)).toMatchObject({ ConnectAccepted: 1 });
    const refused = lines.filter((l) => 'ConnectRefused' in l).map((l) => [l.code, l.ConnectRefused]);
    expect(refused).toEqual([
      ['ERR_TOKEN_EXPIRED', 1],
      ['ERR_KEY_UNAVAILABLE', 1],
    ]);
    expect(JSON.stringify(lines)).not.toMatch(/conn-1|room-a|alice/);
  });
});
