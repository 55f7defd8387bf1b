import { RoomForbiddenError } from '@roomgate/shared/errors';
import { isRoomAllowed, type RoomPattern } from '@roomgate/shared/auth';

/** Who asked for a token, and which rooms they may issue tokens for. */
export interface Caller {
  kind: 'iam' | 'api-key';
  /** Normalised principal ARN, or the API key's id. Safe to log. */
  id: string;
  rooms: readonly RoomPattern[];
}

/** Throws 403 ERR_ROOM_FORBIDDEN unless the authenticated caller's patterns cover `roomId`. */
export function assertRoomAllowed(caller: Caller | null, roomId: string, action: string): asserts caller is Caller {
  if (!caller || !isRoomAllowed(caller.rooms, roomId)) {
    throw new RoomForbiddenError(`this caller may not ${action} room ${JSON.stringify(roomId)}`);
  }
}

/**
 * The log fields of a caller, the same on every line whichever function writes it: `caller` (the
 * principal ARN or API key id) and `callerKind`, as `token issued` has them. Takes the Rooms API's
 * stored form `<kind>:<id>` (`callerId` in rooms/routes.ts; `anonymous` without a caller).
 */
export function callerLogFields(callerId: string): { caller: string; callerKind?: Caller['kind'] } {
  const colon = callerId.indexOf(':');
  const kind = callerId.slice(0, colon);
  return kind === 'iam' || kind === 'api-key' ? { caller: callerId.slice(colon + 1), callerKind: kind } : { caller: callerId };
}
