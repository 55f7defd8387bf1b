import type { ServerFrame } from '@roomgate/protocol/frames';
import type { MembersRequestFrame } from '@roomgate/protocol/presence';
import { CapabilityForbiddenError } from '@roomgate/shared/errors';
import type { RoomPresence } from '@roomgate/shared/presence';
import type { ConnectionRecord } from '@roomgate/shared/store';

/**
 * `{"action":"members"}`: the room's live members for a connection holding `presence`
 * (CapabilityForbiddenError otherwise). Throws StoreUnavailableError when the room cannot be read.
 */
export function makeMembersAction(presence: Pick<RoomPresence, 'members'> | undefined) {
  return async (record: ConnectionRecord, frame: MembersRequestFrame): Promise<ServerFrame> => {
    if (presence === undefined || !record.capabilities.includes('presence')) throw new CapabilityForbiddenError('token does not grant presence');
    const list = await presence.members(record.roomId);
    return { type: 'members', ...list, ...(frame.id === undefined ? {} : { id: frame.id }) };
  };
}
