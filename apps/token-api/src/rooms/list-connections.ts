import type { ConnectionStore } from '@roomgate/shared/store';
import { systemClock, type Clock } from '@roomgate/shared/runtime';
import type { Capability } from '@roomgate/shared/tokens';
import type { ListingCursors } from './listing-cursors.ts';

export interface ListedConnection {
  userId?: string;
  /** ISO 8601, UTC, second precision; absent only for rows from before the index projected it. */
  connectedAt?: string;
  capabilities: Capability[];
}

export interface ConnectionListing {
  connections: ListedConnection[];
  /** Pass back as `?cursor=` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface ListRequest {
  roomId: string;
  callerId: string;
  limit: number;
  cursor?: string | undefined;
}

export interface ConnectionLister {
  /** Throws ListingCursorError for a bad cursor, StoreUnavailableError when DynamoDB fails. */
  list(request: ListRequest): Promise<ConnectionListing>;
}

export interface ConnectionListerOptions {
  store: Pick<ConnectionStore, 'listRoom'>;
  cursors: ListingCursors;
  clock?: Clock;
}

/**
 * One page of a room's connections from the `byRoom` index: one entry per connection (a user
 * with two tabs appears twice), never a connection id. Rows past their TTL backstop are dropped,
 * so a page may hold fewer than `limit` entries while `nextCursor` is still set.
 */
export function createConnectionLister(options: ConnectionListerOptions): ConnectionLister {
  const clock = options.clock ?? systemClock;
  const { store, cursors } = options;

  return {
    async list({ roomId, callerId, limit, cursor }) {
      const binding = { roomId, callerId };
      const position = cursor === undefined ? undefined : await cursors.load(cursor, binding);
      const page = await store.listRoom(roomId, position === undefined ? { limit } : { limit, cursor: position });
      const now = clock();
      const connections = page.members
        .filter((member) => member.expiresAt === undefined || member.expiresAt > now)
        .map((member): ListedConnection => ({
          ...(member.userId !== undefined && { userId: member.userId }),
          ...(member.connectedAt !== undefined && { connectedAt: isoSeconds(member.connectedAt) }),
          capabilities: member.capabilities,
        }));
      const nextCursor = page.cursor === undefined ? null : await cursors.save(binding, page.cursor);
      return { connections, nextCursor };
    },
  };
}

const isoSeconds = (epochSeconds: number): string => new Date(epochSeconds * 1000).toISOString().replace('.000Z', 'Z');
