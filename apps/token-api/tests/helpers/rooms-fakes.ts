import { afterEach } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { HANDSHAKE_WINDOW_SECONDS, type ConnectionStore, type RoomMember } from '@roomgate/shared/store';
import { StoreUnavailableError, ConnectionGoneError, DeliveryFailedError } from '@roomgate/shared/errors';
import { createBroadcaster, type ManagementApi } from '@roomgate/shared/delivery';
import { silentLogger } from '@roomgate/shared/runtime';
import { parseApiKeysSecret } from '../../src/http/auth/api-keys.ts';
import { staticApiKeys } from '../../src/http/auth/api-key-source.ts';
import { buildRoomsApp, type RoomsAppDeps } from '../../src/rooms/app.ts';
import type { RoomsAppConfig } from '../../src/rooms/config.ts';
import { IdempotencyInProgressError, IdempotencyKeyReusedError, ListingCursorError } from '../../src/rooms/errors.ts';
import type { IdempotencyStore } from '../../src/rooms/idempotency-store.ts';
import type { ListingCursors } from '../../src/rooms/listing-cursors.ts';
import { apiKeysSecret, CHAT_KEY, clock, NOW, testConfig } from './fixtures.ts';

export type Row = RoomMember & { connectedAt: number; expiresAt: number };

export const member = (connectionId: string, roomId: string, userId: string | undefined, extra: Partial<Row> = {}): Row => ({
  connectionId,
  roomId,
  ...(userId !== undefined && { userId }),
  capabilities: ['subscribe', 'publish'],
  connectedAt: NOW - 60,
  expiresAt: NOW + 8000,
  ...extra,
});

/** chat-1: alice (two tabs, one subscribe-only), bob, an anonymous connection; chat-2: alice. */
export const chatRoom = (): Row[] => [
  member('c-alice-1', 'chat-1', 'alice'),
  member('c-alice-2', 'chat-1', 'alice', { capabilities: ['subscribe'] }),
  member('c-bob', 'chat-1', 'bob'),
  member('c-anon', 'chat-1', undefined),
  member('c-other-room', 'chat-2', 'alice'),
];

/** The byRoom index in memory, paged like DynamoDB: sorted by connection id, `cursor` = last id. */
export function memoryRooms(rows: Row[] = []) {
  const table = new Map(rows.map((r) => [r.connectionId, r]));
  const state = { unavailable: false };
  const check = () => {
    if (state.unavailable) throw new StoreUnavailableError('connection store query failed', { cause: new Error('ECONNREFUSED') });
  };
  const room = (roomId: string) => [...table.values()].filter((r) => r.roomId === roomId).sort((a, b) => a.connectionId.localeCompare(b.connectionId));
  const store: Pick<ConnectionStore, 'listRoom' | 'roomConnections' | 'delete' | 'deleteGone' | 'markClosing' | 'userConnections' | 'tokenConnections'> = {
    async *userConnections(userId) {
      check();
      yield* [...table.values()].filter((r) => r.userId === userId);
    },
    async *tokenConnections(tokenId) {
      check();
      yield* [...table.values()].filter((r) => (r as { tokenId?: string }).tokenId === tokenId);
    },
    async listRoom(roomId, page = {}) {
      check();
      const all = room(roomId);
      const start = page.cursor === undefined ? 0 : all.findIndex((r) => r.connectionId === page.cursor) + 1;
      const members = all.slice(start, start + (page.limit ?? 100));
      const more = start + members.length < all.length;
      return more ? { members, cursor: members.at(-1)!.connectionId } : { members };
    },
    async *roomConnections(roomId) {
      check();
      yield* room(roomId);
    },
    async delete(connectionId) {
      return table.delete(connectionId);
    },
    async markClosing() {},
    // The DynamoDB store's rule (its conditional delete is tested on dynalite): a row younger
    // than the handshake window is kept.
    async deleteGone(connectionId) {
      const row = table.get(connectionId);
      if (row === undefined) return 'absent';
      if (row.connectedAt >= clock() - HANDSHAKE_WINDOW_SECONDS) return 'kept';
      table.delete(connectionId);
      return 'deleted';
    },
  };
  return { table, state, store };
}

/** Management API fake: `gone` answers 410, `broken` fails like a throttled call. */
export function fakeManagement() {
  const posts: { connectionId: string; frame: Record<string, unknown> }[] = [];
  const closed: string[] = [];
  const gone = new Set<string>();
  const broken = new Set<string>();
  const management: Pick<ManagementApi, 'post' | 'close'> = {
    async post(connectionId, data) {
      if (gone.has(connectionId)) throw new ConnectionGoneError(connectionId);
      if (broken.has(connectionId)) throw new DeliveryFailedError(connectionId, { httpStatusCode: 429 });
      posts.push({ connectionId, frame: JSON.parse(typeof data === 'string' ? data : Buffer.from(data).toString('utf8')) as Record<string, unknown> });
    },
    async close(connectionId) {
      if (broken.has(connectionId)) throw new DeliveryFailedError(connectionId, { httpStatusCode: 500 });
      if (gone.has(connectionId)) return false;
      closed.push(connectionId);
      return true;
    },
  };
  return { management, posts, closed, gone, broken };
}

/** Same contract as the DynamoDB store (tested on dynalite in rooms-state.int.test.ts). */
export function memoryIdempotency(): IdempotencyStore & {
  records: Map<string, { fingerprint: string; result?: { delivered: number; failed: number; stale: number } }>;
} {
  const records = new Map<string, { fingerprint: string; result?: { delivered: number; failed: number; stale: number } }>();
  return {
    records,
    async claim(scope, fingerprint) {
      const existing = records.get(scope);
      if (existing) {
        if (existing.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError();
        if (!existing.result) throw new IdempotencyInProgressError();
        return { outcome: 'replayed', result: existing.result };
      }
      const record: { fingerprint: string; result?: { delivered: number; failed: number; stale: number } } = { fingerprint };
      records.set(scope, record);
      return {
        outcome: 'claimed',
        complete: async (result) => void (record.result = result),
        release: async () => void records.delete(scope),
      };
    },
  };
}

export function memoryCursors(): ListingCursors & { saved: Map<string, { roomId: string; callerId: string; position: string }> } {
  const saved = new Map<string, { roomId: string; callerId: string; position: string }>();
  let n = 0;
  return {
    saved,
    async save(binding, position) {
      const id = `cursor${String(++n).padStart(18, '0')}`;
      saved.set(id, { ...binding, position });
      return id;
    },
    async load(id, binding) {
      const entry = saved.get(id);
      if (!entry || entry.roomId !== binding.roomId || entry.callerId !== binding.callerId) throw new ListingCursorError();
      return entry.position;
    },
  };
}

export function roomsConfig(over: Partial<RoomsAppConfig> = {}): RoomsAppConfig {
  const { iamCallers, logLevel } = testConfig();
  return { iamCallers, logLevel, maxMessageBytes: 1024, maxTokenLifetimeSeconds: 3600, clockToleranceSeconds: 5, ...over };
}

const unused = async (): Promise<never> => {
  throw new Error('this test does not use the access store');
};
const unusedAccess: RoomsAppDeps['access'] = { putBan: unused, deleteBan: unused, listBans: unused, revokeToken: unused, revokeUser: unused };

/** The Rooms app over in-memory fakes and the real shared broadcaster. */
export function roomsTestApp(rows: Row[] = [], over: Partial<RoomsAppDeps> = {}) {
  const rooms = memoryRooms(rows);
  const mgmt = fakeManagement();
  const idempotency = memoryIdempotency();
  const cursors = memoryCursors();
  const app = buildRoomsApp({
    config: roomsConfig(),
    store: rooms.store,
    broadcaster: createBroadcaster({ store: rooms.store, management: mgmt.management, logger: silentLogger, clock }),
    management: mgmt.management,
    // Bans and revocations run against dynalite (tests/integration/rooms/access-routes.int.test.ts).
    access: unusedAccess,
    idempotency,
    cursors,
    apiKeys: staticApiKeys(parseApiKeysSecret(apiKeysSecret())),
    logger: silentLogger,
    clock,
    ...over,
  });
  return { app, rooms, mgmt, idempotency, cursors };
}

/**
 * For a test file: registers an `afterEach` that closes every app built since, and returns
 * `setup(rows, over)`, which builds one with `roomsTestApp`.
 */
export function closingRoomsTestApps() {
  const apps: FastifyInstance[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  return (rows: Row[] = [], over: Partial<RoomsAppDeps> = {}) => {
    const t = roomsTestApp(rows, over);
    apps.push(t.app);
    return t;
  };
}

/** `POST /v1/rooms/:roomId/messages` with a JSON body, as the chat backend (its API key) unless `headers` say otherwise. */
export const publish = (app: FastifyInstance, roomId: string, body: unknown, headers: Record<string, string> = { 'x-api-key': CHAT_KEY }) =>
  app.inject({
    method: 'POST',
    url: `/v1/rooms/${roomId}/messages`,
    headers: { 'content-type': 'application/json', ...headers },
    payload: JSON.stringify(body),
  });
