import { ConnectionExistsError, TokenExpiredError, TokenInvalidError } from '@roomgate/shared/errors';
import {
  DISCONNECT_CLOCK_SLACK_SECONDS,
  HANDSHAKE_WINDOW_SECONDS,
  type ConnectionRecord,
  type ConnectionStore,
  type NewConnection,
  type RoomMember,
} from '@roomgate/shared/store';
import { compareKeys, inKeyRange, type ManagementApi } from '@roomgate/shared/delivery';
import type { Logger } from '@roomgate/shared/runtime';
import type { RoomGrant, TokenVerifier } from '@roomgate/shared/tokens';
import type { Admission } from '../../src/admission/admission.ts';
import type { PublishRateLimit } from '../../src/admission/rate-limit.ts';

export const NOW = 1_750_000_000;

/** Admits every grant: for tests of everything but admission (tests/integration/admission.int.test.ts covers that). */
export const admitAll: Admission = { admitConnection: async () => undefined, admitRefresh: async () => undefined };
/** No publish limit. */
export const noRateLimit: PublishRateLimit = { take: async () => undefined };

export function grant(overrides: Partial<RoomGrant> = {}): RoomGrant {
  return {
    roomId: 'room-a',
    userId: 'alice',
    capabilities: ['subscribe', 'publish'],
    issuedAt: NOW - 10,
    expiresAt: NOW + 300,
    kid: 'kid-1',
    legacy: false,
    ...overrides,
  };
}

/** Tokens are plain strings naming what the fake verifier does with them. */
export function fakeVerifier(grants: Record<string, RoomGrant | Error>): TokenVerifier & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async verify(token) {
      calls.push(token);
      const outcome = grants[token];
      if (outcome === undefined) throw new TokenInvalidError('token signature does not verify');
      if (outcome instanceof Error) throw outcome;
      return outcome;
    },
  };
}

export const expiredToken = new TokenExpiredError();

/** In-memory ConnectionStore; `fail` makes the named operations throw the given error. */
export function memoryStore(rows: ConnectionRecord[] = []) {
  const table = new Map(rows.map((r) => [r.connectionId, { ...r }]));
  const fail: Partial<Record<keyof ConnectionStore, Error>> = {};
  const check = (op: keyof ConnectionStore) => {
    const error = fail[op];
    if (error) throw error;
  };
  const store: ConnectionStore & { table: typeof table; fail: typeof fail } = {
    table,
    fail,
    async put(connection: NewConnection) {
      check('put');
      if (table.has(connection.connectionId)) throw new ConnectionExistsError();
      const record = { connectedAt: NOW, expiresAt: NOW + 8100, ...connection } as ConnectionRecord;
      table.set(record.connectionId, record);
      return record;
    },
    async announce() {
      check('announce');
    },
    async markClosing(id, reason) {
      check('markClosing');
      const found = table.get(id);
      if (found) table.set(id, { ...found, closeReason: reason } as typeof found);
    },
    async get(id) {
      check('get');
      return table.get(id);
    },
    async delete(id) {
      check('delete');
      return table.delete(id);
    },
    async deleteGone(id) {
      check('deleteGone');
      const found = table.get(id);
      if (found === undefined) return 'absent';
      if (found.connectedAt >= NOW - HANDSHAKE_WINDOW_SECONDS) return 'kept';
      table.delete(id);
      return 'deleted';
    },
    async deleteDisconnected(id, handshakeAt) {
      check('deleteDisconnected');
      const found = table.get(id);
      if (found === undefined) return 'absent';
      const { connectedAt } = found;
      if (connectedAt < handshakeAt - DISCONNECT_CLOCK_SLACK_SECONDS || connectedAt > handshakeAt + HANDSHAKE_WINDOW_SECONDS + DISCONNECT_CLOCK_SLACK_SECONDS)
        return 'kept';
      table.delete(id);
      return 'deleted';
    },
    async updateExpiry(id, g) {
      check('updateExpiry');
      const row = table.get(id);
      if (!row) throw new Error('missing');
      row.tokenExpiresAt = g.tokenExpiresAt;
      if (g.capabilities) row.capabilities = g.capabilities;
      if (g.tokenId !== undefined) row.tokenId = g.tokenId;
      if (g.tokenIssuedAt !== undefined) row.tokenIssuedAt = g.tokenIssuedAt;
    },
    async swapRateBucket(id, previous, next) {
      check('swapRateBucket');
      const row = table.get(id);
      if (!row || JSON.stringify(row.rateBucket) !== JSON.stringify(previous)) return false;
      row.rateBucket = next;
      return true;
    },
    async *userConnections(userId) {
      yield* [...table.values()].filter((r) => r.userId === userId);
    },
    async *tokenConnections(tokenId) {
      yield* [...table.values()].filter((r) => r.tokenId === tokenId);
    },
    async touch(record, seenAt) {
      check('touch');
      const row = table.get(record.connectionId);
      if (!row) return false;
      row.lastSeenAt = seenAt;
      return true;
    },
    async listRoom(roomId) {
      check('listRoom');
      return { members: [...table.values()].filter((r) => r.roomId === roomId) };
    },
    async *roomConnections(roomId): AsyncIterableIterator<RoomMember> {
      check('roomConnections');
      yield* [...table.values()].filter((r) => r.roomId === roomId);
    },
    async *roomRange(roomId, range): AsyncIterableIterator<RoomMember> {
      check('roomConnections');
      yield* [...table.values()]
        .filter((r) => r.roomId === roomId && inKeyRange(r.connectionId, range))
        .sort((a, b) => compareKeys(a.connectionId, b.connectionId));
    },
  };
  return store;
}

export function row(overrides: Partial<ConnectionRecord> = {}): ConnectionRecord {
  return {
    connectionId: 'conn-1',
    roomId: 'room-a',
    userId: 'alice',
    capabilities: ['subscribe', 'publish'],
    connectedAt: NOW - 60,
    tokenExpiresAt: NOW + 240,
    expiresAt: NOW + 8040,
    ...overrides,
  };
}

export function fakeManagement(): ManagementApi & { posts: { connectionId: string; data: string }[]; closed: string[] } {
  const posts: { connectionId: string; data: string }[] = [];
  const closed: string[] = [];
  return {
    posts,
    closed,
    async post(connectionId, data) {
      posts.push({ connectionId, data: typeof data === 'string' ? data : Buffer.from(data).toString('utf8') });
    },
    async close(connectionId) {
      closed.push(connectionId);
      return true;
    },
  };
}

export interface LogLine {
  level: string;
  msg: string;
  fields: Record<string, unknown>;
}

export function memoryLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: string) =>
    (msg: string, fields: Record<string, unknown> = {}) =>
      lines.push({ level, msg, fields });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}
