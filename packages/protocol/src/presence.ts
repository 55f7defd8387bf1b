import type { FrameId } from './frames.ts';

/**
 * Presence (docs/architecture.md, "Presence"): who is in a room, for members whose token grants
 * `presence`. A member is a user id; several connections of one user (tabs) are one member, who
 * joins with the first live connection and leaves with the last. Connections without a user id
 * are counted but never named.
 */

/**
 * Sent to every presence-capable connection of the room (the subject's own connections excluded)
 * when a member joins or leaves, while the room has at most the stage's `PRESENCE_MAX_ROOM_SIZE`
 * live connections; above it no presence frames are sent and clients ask for the count instead.
 * `userId` is absent for an anonymous connection. `at` is epoch seconds. Delivery is
 * at-least-once and unordered across members: a client keeps a set and treats a repeated join or
 * leave as a no-op.
 */
export interface PresenceFrame {
  type: 'presence';
  event: 'join' | 'leave';
  roomId: string;
  userId?: string;
  at: number;
}

/** `{"action":"members"}` (needs `presence`): the room's current members. */
export interface MembersRequestFrame {
  action: 'members';
  id?: FrameId;
}

/**
 * The reply to `members`: the distinct user ids of the room's live connections (sorted, at most
 * {@link MEMBERS_MAX_LISTED}) and `count`, the number of live connections. `truncated: true` when
 * the list was cut (a room above the limit); the count is then still exact.
 */
export interface MembersReplyFrame {
  type: 'members';
  roomId: string;
  members: string[];
  count: number;
  truncated?: boolean;
  id?: FrameId;
}

/** The most user ids a `members` reply names (128 ids of ≤128 characters stay far under 128 KB). */
export const MEMBERS_MAX_LISTED = 128;

/** Checks a `members` frame already parsed as a JSON object (the server side); it takes no fields. */
export function parseMembersRequest(_frame: Record<string, unknown>, id: FrameId | undefined): MembersRequestFrame {
  return { action: 'members', ...(id === undefined ? {} : { id }) };
}

/** Whether a server frame is a presence frame a client can rely on (a newer or broken server may differ). */
export function isPresenceFrame(frame: unknown): frame is PresenceFrame {
  const value = frame as Partial<PresenceFrame> | null;
  return (
    typeof value === 'object' &&
    value !== null &&
    value.type === 'presence' &&
    (value.event === 'join' || value.event === 'leave') &&
    typeof value.roomId === 'string' &&
    (value.userId === undefined || typeof value.userId === 'string') &&
    typeof value.at === 'number'
  );
}

/** Whether a server frame is a `members` reply a client can rely on. */
export function isMembersReply(frame: unknown): frame is MembersReplyFrame {
  const value = frame as Partial<MembersReplyFrame> | null;
  return (
    typeof value === 'object' &&
    value !== null &&
    value.type === 'members' &&
    typeof value.roomId === 'string' &&
    Array.isArray(value.members) &&
    value.members.every((m) => typeof m === 'string') &&
    Number.isSafeInteger(value.count)
  );
}
