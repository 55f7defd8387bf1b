import { MEMBERS_MAX_LISTED, type MembersReplyFrame, type PresenceFrame } from '@roomgate/protocol/presence';
import type { ConnectionStore } from '../store/connection-store.ts';
import type { ConnectionRecord, RoomMember } from '../store/connection-item.ts';
import type { CloseReason, ConnectionObserver } from '../store/connection-observer.ts';
import type { ManagementApi } from '../delivery/management-api.ts';
import { systemClock, type Clock } from '../runtime/clock.ts';
import { describeError, type Logger } from '../runtime/logger.ts';

/** Default for the stage setting `presenceMaxRoomSize` (PRESENCE_MAX_ROOM_SIZE). */
export const DEFAULT_PRESENCE_MAX_ROOM_SIZE = 100;

export interface RoomPresenceOptions {
  store: Pick<ConnectionStore, 'roomConnections' | 'listRoom' | 'get'>;
  management: Pick<ManagementApi, 'post'>;
  logger: Logger;
  /**
   * Presence frames are sent only while the room has at most this many live connections (the
   * subject's included); above it a join or leave costs one room query of at most this many rows
   * and no posts, and members read the count with `members`.
   */
  maxRoomSize: number;
  /** Posts in flight at once per announcement. */
  concurrency?: number;
  clock?: Clock;
}

export type MembersList = Omit<MembersReplyFrame, 'type' | 'id'>;

export interface RoomPresence extends ConnectionObserver {
  /** The room's live members (docs/architecture.md, "Presence"). Throws StoreUnavailableError. */
  members(roomId: string): Promise<MembersList>;
}

/**
 * Presence frames for presence-capable members (the `presence` capability). A connection's row
 * appearing or disappearing (ConnectionObserver) is a join or leave of its user only when the
 * user has no other live connection in the room. The room's rows come from the `byRoom` index,
 * which lags; the user's other tabs found there are confirmed with strongly consistent reads, and
 * of tabs opening at once only the earliest (`connectedAt`, then `connectionId`) announces the join.
 * So a join or a leave is never lost: tabs opening or closing at the same moment announce it once,
 * or — when the index has not shown one tab to the other yet — twice (clients treat a repeat as a
 * no-op). A row counts as live until its `expiresAt` (liveness.ts). Failures are logged and never
 * thrown: presence follows work that is already done.
 */
export function createRoomPresence(options: RoomPresenceOptions): RoomPresence {
  const { store, management, logger, maxRoomSize } = options;
  const clock = options.clock ?? systemClock;
  const concurrency = Math.max(1, options.concurrency ?? 10);

  /** Live rows of the room other than `connectionId`, at most `limit` + 1 of them (enough to know the room is too big). */
  const others = async (roomId: string, connectionId: string, limit: number): Promise<RoomMember[]> => {
    const now = clock();
    const found: RoomMember[] = [];
    // Pages sized to what is needed (the subject, and one more than the limit to know the room is
    // too big), read one after the other: unlike a fan-out, no page is fetched ahead and wasted.
    let cursor: string | undefined;
    do {
      const page = await store.listRoom(roomId, { limit: limit + 2 - found.length, ...(cursor === undefined ? {} : { cursor }) });
      for (const member of page.members) {
        if (member.connectionId === connectionId || !isLive(member, now)) continue;
        found.push(member);
        if (found.length > limit) return found;
      }
      cursor = page.cursor;
    } while (cursor !== undefined);
    return found;
  };

  const announce = async (record: ConnectionRecord, event: PresenceFrame['event']): Promise<void> => {
    const rest = await others(record.roomId, record.connectionId, maxRoomSize);
    // The subject counts towards the size: a join into a room of maxRoomSize is one too many.
    if (rest.length + 1 > maxRoomSize) return;
    // Another live tab of the same user: the member stays (join already told, leave not yet).
    if (record.userId !== undefined && (await hasOtherTab(record, rest, event))) return;
    const frame: PresenceFrame = {
      type: 'presence',
      event,
      roomId: record.roomId,
      ...(record.userId !== undefined ? { userId: record.userId } : {}),
      at: clock(),
    };
    const payload = JSON.stringify(frame);
    const targets = rest.filter((m) => m.capabilities.includes('presence'));
    const post = async (member: RoomMember): Promise<void> => {
      // A 410 is left to the next fan-out, which removes the row (and announces that leave).
      await management.post(member.connectionId, payload).catch((error: unknown) => {
        logger.info('presence post failed', { roomId: record.roomId, connectionId: member.connectionId, error: asError(error) });
      });
    };
    const worker = async (): Promise<void> => {
      for (let next = targets.shift(); next !== undefined; next = targets.shift()) await post(next);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, targets.length) }, worker));
  };

  /**
   * Whether another tab of the user keeps it a member: for a leave, any other tab still there; for a
   * join, another tab that opened earlier (it announced, or will). Index rows are confirmed with a
   * consistent read, so a tab closed a moment ago (still in the lagging index) does not swallow the
   * leave, and two tabs seeing each other do not both stay silent on a join.
   */
  const hasOtherTab = async (record: ConnectionRecord, rest: RoomMember[], event: PresenceFrame['event']): Promise<boolean> => {
    // Earliest first: for a join the first confirmed earlier tab settles it, usually in one read.
    const candidates = rest
      .filter((m) => m.userId === record.userId && (event === 'leave' || m.connectedAt === undefined || openedBefore(asOrdered(m), record)))
      .sort((a, b) => (openedBefore(asOrdered(a), asOrdered(b)) ? -1 : 1));
    const now = clock();
    for (const [checked, candidate] of candidates.entries()) {
      // A user with very many listed tabs: past this many reads that found none live, keep the member
      // (a lost leave there is cheaper than a read per tab on every join and leave).
      if (checked === MAX_TAB_CHECKS) return true;
      const row = await store.get(candidate.connectionId);
      if (row !== undefined && isLive(row, now) && (event === 'leave' || openedBefore(row, record))) return true;
    }
    return false;
  };

  const safely = async (record: ConnectionRecord, event: PresenceFrame['event']): Promise<void> => {
    try {
      await announce(record, event);
    } catch (error) {
      logger.warn('presence not announced', { roomId: record.roomId, event, error: asError(error) });
    }
  };

  return {
    added: (record) => safely(record, 'join'),
    removed: (record, _reason: CloseReason) => safely(record, 'leave'),

    async members(roomId) {
      const now = clock();
      const users = new Set<string>();
      let count = 0;
      for await (const member of store.roomConnections(roomId)) {
        if (!isLive(member, now)) continue;
        count += 1;
        if (member.userId !== undefined) users.add(member.userId);
      }
      const sorted = [...users].sort();
      const members = sorted.slice(0, MEMBERS_MAX_LISTED);
      return { roomId, members, count, ...(sorted.length > members.length ? { truncated: true } : {}) };
    },
  };
}

/** Consistent reads of a user's other tabs per join or leave, at most. */
const MAX_TAB_CHECKS = 8;

const asOrdered = (m: RoomMember): Pick<ConnectionRecord, 'connectedAt' | 'connectionId'> => ({
  connectedAt: m.connectedAt ?? 0,
  connectionId: m.connectionId,
});

/** A total order on connections: earlier `connectedAt` first, `connectionId` breaking ties. */
const openedBefore = (a: Pick<ConnectionRecord, 'connectedAt' | 'connectionId'>, b: Pick<ConnectionRecord, 'connectedAt' | 'connectionId'>): boolean =>
  a.connectedAt < b.connectedAt || (a.connectedAt === b.connectedAt && a.connectionId < b.connectionId);

/** A row past its `expiresAt` (liveness deadline or TTL backstop) is a closed connection's. */
export const isLive = (member: Pick<RoomMember, 'expiresAt'>, now: number): boolean => member.expiresAt === undefined || member.expiresAt > now;

const asError = (value: unknown) => (value instanceof Error ? describeError(value) : { message: String(value) });
