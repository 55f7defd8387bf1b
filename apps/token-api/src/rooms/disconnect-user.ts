import type { ErrorCode } from '@roomgate/shared/errors';
import type { CloseReason, ConnectionStore, GoneDeletion, RoomMember } from '@roomgate/shared/store';
import { errorFrame, serializeFrame } from '@roomgate/protocol/server-frame';
import type { ManagementApi } from '@roomgate/shared/delivery';
import type { Logger } from '@roomgate/shared/runtime';
import { callerLogFields } from '../http/auth/caller.ts';

export interface DisconnectOutcome {
  /** Connections closed (or found already gone) whose rows were removed. */
  disconnected: number;
  /**
   * Connections not closed: DeleteConnection failed (throttling, 5xx), or answered 410 for a
   * connection still inside its `$connect` (its row is younger than the handshake window, so it
   * may be about to open). Their rows stay; retry the request.
   */
  failed: number;
}

/** The error frame a closed connection gets first, so its client can tell why (and not reconnect). */
export interface CloseNotice {
  code: Extract<ErrorCode, 'ERR_KICKED' | 'ERR_USER_BANNED' | 'ERR_TOKEN_REVOKED'>;
  message: string;
}

/** What presence and the `connection.closed` event say for each notice. */
const CLOSE_REASON: Record<CloseNotice['code'], CloseReason> = { ERR_KICKED: 'kicked', ERR_USER_BANNED: 'banned', ERR_TOKEN_REVOKED: 'revoked' };

/** A connection to close: its id and room (for the log). */
export type CloseTarget = Pick<RoomMember, 'connectionId' | 'roomId'>;

export interface UserDisconnector {
  /**
   * Closes every connection of `userId` in `roomId`, with an `ERR_KICKED` frame unless `notice`
   * says otherwise (a ban: `ERR_USER_BANNED`). Throws StoreUnavailableError only if the room
   * cannot be listed. `callerId` is logged with the outcome: a kick is a moderator's action and
   * leaves an audit line.
   */
  disconnect(roomId: string, userId: string, callerId?: string, notice?: CloseNotice): Promise<DisconnectOutcome>;
  /** Closes the given connections the same way (a revocation's targets); never throws. */
  close(targets: CloseTarget[], notice: CloseNotice): Promise<DisconnectOutcome>;
}

export interface UserDisconnectorOptions {
  store: Pick<ConnectionStore, 'roomConnections' | 'delete' | 'deleteGone' | 'markClosing'>;
  management: Pick<ManagementApi, 'post' | 'close'>;
  logger: Logger;
  /** Closes in flight at once; a user rarely has more than a few tabs open. */
  concurrency?: number;
}

/**
 * The moderator's kick: every connection of `userId` in `roomId` gets an `ERR_KICKED` error
 * frame, is closed through DeleteConnection, and its row is deleted. Other users' connections
 * are untouched. Tokens are not revoked: a still-valid token can connect again.
 */
export function createUserDisconnector(options: UserDisconnectorOptions): UserDisconnector {
  const { store, management, logger } = options;
  const concurrency = Math.max(1, options.concurrency ?? 10);
  const kicked: CloseNotice = { code: 'ERR_KICKED', message: 'disconnected from the room by its backend' };

  const disconnectOne = async (member: CloseTarget, notice: string, reason: CloseReason, outcome: DisconnectOutcome): Promise<void> => {
    const fields = { roomId: member.roomId, connectionId: member.connectionId };
    // Posted first so the client can tell a kick from a network drop; a 410 here is looked at
    // through the close below.
    await management.post(member.connectionId, notice).catch(() => undefined);
    // `$disconnect` often removes the row before we do; either way the close reads as this reason.
    await store.markClosing(member.connectionId, reason).catch((error: unknown) => logger.warn('kick: close reason not recorded', { ...fields, error }));
    let closed: boolean;
    try {
      closed = await management.close(member.connectionId);
    } catch (error) {
      outcome.failed += 1;
      logger.warn('kick: close failed, row kept', { ...fields, error });
      return;
    }
    if (closed) {
      // We closed an open connection: its row is ours to remove ($disconnect deletes it too;
      // deleting here means the listing is right on return).
      await store.delete(member.connectionId, reason).catch((error: unknown) => logger.warn('kick: row delete failed (TTL removes it)', { ...fields, error }));
      outcome.disconnected += 1;
      return;
    }
    // 410: gone, or still inside `$connect` (API Gateway answers 410 then too). Only a row older
    // than the handshake window is removed; a younger one is a member about to open, reported
    // as failed so the caller's retry closes it once its handshake is done.
    let gone: GoneDeletion;
    try {
      gone = await store.deleteGone(member.connectionId);
    } catch (error) {
      logger.warn('kick: row delete failed (TTL removes it)', { ...fields, error });
      outcome.disconnected += 1;
      return;
    }
    if (gone === 'kept') {
      outcome.failed += 1;
      logger.warn('kick: connection still connecting, row kept; retry the request', fields);
      return;
    }
    outcome.disconnected += 1;
  };

  const close = async (targets: CloseTarget[], notice: CloseNotice): Promise<DisconnectOutcome> => {
    const frame = serializeFrame(errorFrame(notice.code, notice.message));
    const reason = CLOSE_REASON[notice.code];
    const outcome: DisconnectOutcome = { disconnected: 0, failed: 0 };
    const queue = [...targets];
    const worker = async (): Promise<void> => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) await disconnectOne(next, frame, reason, outcome);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
    return outcome;
  };

  return {
    async disconnect(roomId, userId, callerId, notice = kicked) {
      const targets: RoomMember[] = [];
      for await (const member of store.roomConnections(roomId)) if (member.userId === userId) targets.push(member);
      const outcome = await close(targets, notice);
      logger.info(notice.code === 'ERR_KICKED' ? 'kick' : 'ban: connections closed', {
        roomId,
        userId,
        ...(callerId !== undefined ? callerLogFields(callerId) : {}),
        ...outcome,
      });
      return outcome;
    },
    close,
  };
}
