import { StoreUnavailableError } from '@roomgate/shared/errors';
import { describe, expect, it } from 'vitest';
import { makeDisconnectHandler } from '../../../src/handlers/disconnect.ts';
import { NOW, memoryLogger, memoryStore, row } from '../../helpers/fakes.ts';

// row() was written by `$connect` at NOW - 60; API Gateway began that handshake a moment before.
const HANDSHAKE_MS = (NOW - 60) * 1000 - 300;
const event = (connectionId: string, connectedAt: number | null = HANDSHAKE_MS) => ({
  requestContext: { connectionId, routeKey: '$disconnect', ...(connectedAt !== null && { connectedAt }) },
});

describe('$disconnect', () => {
  it('deletes the row, and a second delete or an unknown id is fine', async () => {
    const store = memoryStore([row({ connectionId: 'a' }), row({ connectionId: 'b' })]);
    const handler = makeDisconnectHandler({ store, logger: memoryLogger() });
    expect(await handler(event('a'))).toEqual({ statusCode: 200 });
    expect(await handler(event('a'))).toEqual({ statusCode: 200 });
    expect(await handler(event('never-seen'))).toEqual({ statusCode: 200 });
    expect([...store.table.keys()]).toEqual(['b']);
  });

  it.each([
    ['without requestContext.connectedAt', null, 'disconnect without requestContext.connectedAt: row kept'],
    ['for a handshake an hour before the row', HANDSHAKE_MS - 3_600_000, 'disconnect does not match the row (connectedAt): row kept'],
    ['for a handshake after the row was written', HANDSHAKE_MS + 60_000, 'disconnect does not match the row (connectedAt): row kept'],
  ])('a forged event %s deletes nothing and logs a warning', async (_name, connectedAt, msg) => {
    const store = memoryStore([row({ connectionId: 'live' })]);
    const logger = memoryLogger();
    expect(await makeDisconnectHandler({ store, logger })(event('live', connectedAt))).toEqual({ statusCode: 200 });
    expect(store.table.has('live')).toBe(true);
    expect(logger.lines.at(-1)).toMatchObject({ level: 'warn', msg });
  });

  it('logs a failed delete and does not throw (TTL is the backstop)', async () => {
    const store = memoryStore([row()]);
    store.fail.deleteDisconnected = new StoreUnavailableError();
    const logger = memoryLogger();
    const handler = makeDisconnectHandler({ store, logger });
    expect(await handler(event('conn-1'))).toEqual({ statusCode: 500 });
    expect(logger.lines.at(-1)).toMatchObject({ level: 'error', msg: 'disconnect cleanup failed' });
  });
});
