/**
 * Who a message was not fanned out to (the publish's `excludeUserId` / `excludeConnectionId`).
 * Stored with the message so that a replay to that user or connection skips it too: history must
 * not hand out what live delivery withheld.
 */
export interface MessageExclusion {
  excludeUserId?: string | undefined;
  excludeConnectionId?: string | undefined;
}

/**
 * Whether a stored message was withheld from this member at fan-out (fan-out.ts applies the same
 * rule live), so a replay to it must skip the message too.
 */
export function isExcludedFor(message: MessageExclusion, member: { connectionId: string; userId?: string | undefined }): boolean {
  return (
    (message.excludeConnectionId !== undefined && message.excludeConnectionId === member.connectionId) ||
    (message.excludeUserId !== undefined && message.excludeUserId === member.userId)
  );
}
