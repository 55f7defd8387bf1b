/**
 * Identifier patterns, written once. Room and user ids travel in URLs, tokens, DynamoDB keys and
 * log lines; stage names end up in secret names, table names, CloudFormation stacks and CLI
 * arguments.
 */

/** Characters a room id may contain: no `#`, `/`, whitespace or anything that needs escaping. */
export const ROOM_ID_CHARSET = 'A-Za-z0-9_.:-';
export const ROOM_ID_MAX_LENGTH = 128;
/** JSON-schema / RegExp source for a valid room id (anchored). */
export const ROOM_ID_PATTERN_SOURCE = `^[${ROOM_ID_CHARSET}]{1,${ROOM_ID_MAX_LENGTH}}$`;
export const ROOM_ID_PATTERN = new RegExp(ROOM_ID_PATTERN_SOURCE);

/** User ids: the room-id charset plus `@`, so e-mail-like ids fit. */
export const USER_ID_CHARSET = 'A-Za-z0-9_.:@-';
export const USER_ID_MAX_LENGTH = 128;
export const USER_ID_PATTERN_SOURCE = `^[${USER_ID_CHARSET}]{1,${USER_ID_MAX_LENGTH}}$`;
export const USER_ID_PATTERN = new RegExp(USER_ID_PATTERN_SOURCE);

/**
 * Stage names: 1-32 lower-case letters, digits and `-`, starting with a letter or digit. A
 * leading `-` is refused because a stage is passed on command lines (`--stage -x` reads as an
 * option to `serverless` and to `pnpm keys`), and the deployed functions' `STAGE` check has
 * always refused it: a stage the CLI accepted must be one the token API starts with.
 */
export const STAGE_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;

export function isValidRoomId(value: unknown): value is string {
  return typeof value === 'string' && ROOM_ID_PATTERN.test(value);
}

export function isValidUserId(value: unknown): value is string {
  return typeof value === 'string' && USER_ID_PATTERN.test(value);
}

/**
 * A publish's id (`publishId`): 22 base64url characters (16 random bytes), given to every
 * publish; the Rooms API's `GET /v1/rooms/{roomId}/publishes/{publishId}` reads a sharded one's progress.
 */
export const PUBLISH_ID_PATTERN_SOURCE = '^[A-Za-z0-9_-]{22}$';
export const PUBLISH_ID_PATTERN = new RegExp(PUBLISH_ID_PATTERN_SOURCE);

export function isValidPublishId(value: unknown): value is string {
  return typeof value === 'string' && PUBLISH_ID_PATTERN.test(value);
}
