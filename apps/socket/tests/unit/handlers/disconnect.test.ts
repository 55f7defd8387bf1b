import { StoreUnavailableError } from '@roomgate/shared/errors';
import { describe, expect, it } from 'vitest';
import { makeDisconnectHandler } from '../../../src/handlers/disconnect.ts';
import { memoryLogger, memoryStore, row } from '../../helpers/fakes.ts';

const event = (connectionId: string) => ({ requestContext: { connectionId, routeKey: '$disconnect' } });

describe('$disconnect', () => {
  it('deletes the row, and a second delete or an unknown id is fine', async () => {
    const store = memoryStore([row({ connectionId: 'a' }), row({ connectionId: 'b' })]);
    const handler = makeDisconnectHandler({ store, logger: memoryLogger() });
    expect(await handler(event('a'))).toEqual({ statusCode: 200 });
    expect(await handler(event('a'))).toEqual({ statusCode: 200 });
    expect(await handler(event('never-seen'))).toEqual({ statusCode: 200 });
    expect([...store.table.keys()]).toEqual(['b']);
  });

  it('logs a failed delete and does not throw (TTL is the backstop)', async () => {
    const store = memoryStore([row()]);
    store.fail.delete = new StoreUnavailableError();
    const logger = memoryLogger();
    const handler = makeDisconnectHandler({ store, logger });
    expect(await handler(event('conn-1'))).toEqual({ statusCode: 500 });
    expect(logger.lines.at(-1)).toMatchObject({ level: 'error', msg: 'disconnect cleanup failed' });
  });
});
