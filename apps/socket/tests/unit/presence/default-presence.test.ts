import { StoreUnavailableError } from '@roomgate/shared/errors';
import { createRoomPresence } from '@roomgate/shared/presence';
import { TOUCH_INTERVAL_SECONDS } from '@roomgate/shared/store';
import { describe, expect, it } from 'vitest';
import { makeDefaultHandler } from '../../../src/handlers/default.ts';
import { NOW, admitAll, fakeManagement, fakeVerifier, memoryLogger, memoryStore, noRateLimit, row } from '../../helpers/fakes.ts';

function setup(options: { now?: number; records?: ReturnType<typeof row>[] } = {}) {
  const store = memoryStore(options.records ?? [row()]);
  const management = fakeManagement();
  const logger = memoryLogger();
  const presence = createRoomPresence({ store, management, logger, maxRoomSize: 100, clock: () => options.now ?? NOW });
  const handler = makeDefaultHandler({
    verifier: fakeVerifier({}),
    store,
    broadcaster: { broadcast: async () => ({ delivered: 0, failed: 0, stale: 0 }) },
    management,
    admission: admitAll,
    rateLimit: noRateLimit,
    presence,
    logger,
    maxMessageBytes: 1024,
    clock: () => options.now ?? NOW,
  });
  const send = async (body: unknown) => {
    const result = await handler({ requestContext: { connectionId: 'conn-1' }, body: JSON.stringify(body) });
    return result.body === undefined ? undefined : (JSON.parse(result.body) as Record<string, unknown>);
  };
  return { store, logger, send };
}

describe('$default: liveness', () => {
  it('a frame writes lastSeenAt once the touch interval passed, not on every frame', async () => {
    const early = setup({ now: NOW, records: [row({ connectedAt: NOW - TOUCH_INTERVAL_SECONDS + 1 })] });
    await early.send({ action: 'ping' });
    expect(early.store.table.get('conn-1')?.lastSeenAt).toBeUndefined();

    const due = setup({ now: NOW, records: [row({ connectedAt: NOW - 600, lastSeenAt: NOW - TOUCH_INTERVAL_SECONDS })] });
    expect(await due.send({ action: 'ping', id: 1 })).toEqual({ type: 'pong', id: 1 });
    expect(due.store.table.get('conn-1')?.lastSeenAt).toBe(NOW);
  });

  it('a failed liveness write is logged at warn and the frame is still answered', async () => {
    const { store, logger, send } = setup({ records: [row({ connectedAt: NOW - 600 })] });
    store.fail.touch = new StoreUnavailableError('connection store update failed');
    expect(await send({ action: 'ping', id: 2 })).toEqual({ type: 'pong', id: 2 });
    expect(logger.lines.filter((l) => l.level === 'warn').map((l) => l.msg)).toContain('liveness not recorded');
  });
});

describe('$default: members', () => {
  it('refuses members without the presence capability', async () => {
    const { send } = setup();
    expect(await send({ action: 'members', id: 'm' })).toMatchObject({ type: 'error', code: 'ERR_CAPABILITY_FORBIDDEN', id: 'm' });
  });

  it('lists the distinct live users of the room and counts its live connections', async () => {
    const records = [
      row({ capabilities: ['subscribe', 'presence'] }),
      row({ connectionId: 'conn-2', userId: 'bob' }),
      row({ connectionId: 'conn-3', userId: 'bob' }),
      (({ userId: _none, ...anonymous }) => anonymous)(row({ connectionId: 'conn-4' })),
      row({ connectionId: 'conn-5', userId: 'ghost', expiresAt: NOW }),
      row({ connectionId: 'conn-6', userId: 'zoe', roomId: 'room-b' }),
    ];
    const { send } = setup({ records });
    expect(await send({ action: 'members', id: 'm' })).toEqual({ type: 'members', roomId: 'room-a', members: ['alice', 'bob'], count: 4, id: 'm' });
  });
});
