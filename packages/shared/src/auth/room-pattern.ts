import { isValidRoomId, ROOM_ID_CHARSET, ROOM_ID_MAX_LENGTH, ROOM_ID_PATTERN } from '@roomgate/protocol/ids';

/**
 * Room ids and the patterns that scope a caller (an API key, an IAM principal) to rooms.
 *
 * A pattern is one of:
 * - `*`            every room
 * - `prefix*`      every room whose id starts with `prefix` (the `*` matches zero or more chars)
 * - `exact-id`     that room only
 *
 * Matching is plain string comparison, never a RegExp built from config, so a pattern cannot
 * smuggle in regex syntax and a room id cannot escape its prefix. A `*` anywhere but at the end
 * is refused when the pattern is parsed, so `a*b` never silently means something else.
 */

// The room-id rule itself is part of the wire protocol; re-exported for existing imports.
export { isValidRoomId, ROOM_ID_CHARSET, ROOM_ID_MAX_LENGTH, ROOM_ID_PATTERN_SOURCE } from '@roomgate/protocol/ids';

const PREFIX = new RegExp(`^[${ROOM_ID_CHARSET}]{0,${ROOM_ID_MAX_LENGTH}}$`);

export type RoomPattern =
  { kind: 'any'; source: string } | { kind: 'prefix'; source: string; prefix: string } | { kind: 'exact'; source: string; roomId: string };

/** Why `source` is not a valid pattern, or undefined when it is. */
export function roomPatternProblem(source: unknown): string | undefined {
  if (typeof source !== 'string') return 'a room pattern must be a string';
  if (source === '') return 'a room pattern must not be empty';
  if (source === '*') return undefined;
  const star = source.indexOf('*');
  if (star !== -1 && star !== source.length - 1) {
    return `room pattern ${JSON.stringify(source)}: "*" may appear only once, at the end`;
  }
  if (star !== -1) {
    return PREFIX.test(source.slice(0, -1))
      ? undefined
      : `room pattern ${JSON.stringify(source)}: the prefix before "*" may use only [${ROOM_ID_CHARSET}] (at most ${ROOM_ID_MAX_LENGTH})`;
  }
  return ROOM_ID_PATTERN.test(source)
    ? undefined
    : `room pattern ${JSON.stringify(source)} must be "*", "<prefix>*" or a room id ([${ROOM_ID_CHARSET}], 1-${ROOM_ID_MAX_LENGTH} chars)`;
}

/** Parses one pattern; throws a TypeError naming the problem. */
export function parseRoomPattern(source: string): RoomPattern {
  const problem = roomPatternProblem(source);
  if (problem !== undefined) throw new TypeError(problem);
  if (source === '*') return { kind: 'any', source };
  if (source.endsWith('*')) return { kind: 'prefix', source, prefix: source.slice(0, -1) };
  return { kind: 'exact', source, roomId: source };
}

export function matchesRoom(pattern: RoomPattern, roomId: string): boolean {
  switch (pattern.kind) {
    case 'any':
      return true;
    case 'prefix':
      return roomId.startsWith(pattern.prefix);
    case 'exact':
      return roomId === pattern.roomId;
  }
}

/** True when `roomId` is a valid room id and at least one pattern matches it. */
export function isRoomAllowed(patterns: readonly RoomPattern[], roomId: string): boolean {
  return isValidRoomId(roomId) && patterns.some((pattern) => matchesRoom(pattern, roomId));
}
