import type { AccessStore, Ban, BanPage } from '@roomgate/shared/access';
import type { ConnectionStore, TokenHolder } from '@roomgate/shared/store';
import type { Clock, Logger } from '@roomgate/shared/runtime';
import type { CloseTarget, DisconnectOutcome, UserDisconnector } from './disconnect-user.ts';
import { callerLogFields } from '../http/auth/caller.ts';

/** What `PUT …/bans/{userId}` answers. Times are epoch seconds. */
export interface BanOutcome {
  bannedUntil: number;
  /** Connections of the user in the room closed (frame ERR_USER_BANNED, then DeleteConnection). */
  disconnected: number;
  /** Connections that could not be closed yet (see DisconnectOutcome.failed); retry the request. */
  failed: number;
}

/** `POST /v1/revocations`: one token by `jti`, or a user's tokens issued before a time. */
export type RevocationRequest = { jti: string; roomId?: string | undefined } | { userId: string; issuedBefore: number; roomId?: string | undefined };

export interface AccessControl {
  ban(input: { roomId: string; userId: string; durationSeconds: number; reason?: string | undefined; callerId: string }): Promise<BanOutcome>;
  /** Resolves whether an active ban was lifted. */
  unban(roomId: string, userId: string, callerId: string): Promise<boolean>;
  listBans(roomId: string, page: { limit: number; cursor?: string | undefined }): Promise<BanPage>;
  revoke(request: RevocationRequest, callerId: string): Promise<DisconnectOutcome & { expiresAt: number }>;
}

export interface AccessControlOptions {
  access: Pick<AccessStore, 'putBan' | 'deleteBan' | 'listBans' | 'revokeToken' | 'revokeUser'>;
  store: Pick<ConnectionStore, 'userConnections' | 'tokenConnections'>;
  disconnector: Pick<UserDisconnector, 'disconnect' | 'close'>;
  /** The stage's TOKEN_MAX_TTL plus clock tolerance (seconds): no token lives longer, so neither does a revocation. */
  maxTokenLifetimeSeconds: number;
  clock: Clock;
  logger: Logger;
}

/**
 * Bans and revocations: write the access item first, then close the live connections it covers.
 * In that order a `$connect` that writes its row and then reads the access table (src/admission in
 * the socket service) is either refused by the item or listed here and closed.
 */
export function createAccessControl(options: AccessControlOptions): AccessControl {
  const { access, store, disconnector, clock, logger } = options;

  const collect = async (holders: AsyncIterable<TokenHolder>, keep: (holder: TokenHolder) => boolean): Promise<CloseTarget[]> => {
    const targets: CloseTarget[] = [];
    for await (const holder of holders) if (keep(holder)) targets.push(holder);
    return targets;
  };

  return {
    async ban({ roomId, userId, durationSeconds, reason, callerId }) {
      const createdAt = clock();
      const ban: Ban = {
        roomId,
        userId,
        bannedUntil: createdAt + durationSeconds,
        createdAt,
        createdBy: callerId,
        ...(reason !== undefined ? { reason } : {}),
      };
      await access.putBan(ban);
      const outcome = await disconnector.disconnect(roomId, userId, callerId, { code: 'ERR_USER_BANNED', message: 'banned from the room by its backend' });
      logger.info('ban', { roomId, userId, ...callerLogFields(callerId), bannedUntil: ban.bannedUntil, ...outcome });
      return { bannedUntil: ban.bannedUntil, ...outcome };
    },

    async unban(roomId, userId, callerId) {
      const lifted = await access.deleteBan(roomId, userId);
      logger.info('unban', { roomId, userId, ...callerLogFields(callerId), lifted });
      return lifted;
    },

    listBans: (roomId, page) => access.listBans(roomId, page),

    async revoke(request, callerId) {
      const now = clock();
      const notice = { code: 'ERR_TOKEN_REVOKED', message: 'token revoked by the backend' } as const;
      const inRoom = (holder: TokenHolder) => request.roomId === undefined || holder.roomId === request.roomId;
      let targets: CloseTarget[];
      let expiresAt: number;
      if ('jti' in request) {
        // The token's exp is unknown here; none outlives the stage's maximum lifetime from now.
        expiresAt = now + options.maxTokenLifetimeSeconds;
        await access.revokeToken(request.jti, expiresAt);
        targets = await collect(store.tokenConnections(request.jti), inRoom);
      } else {
        expiresAt = request.issuedBefore + options.maxTokenLifetimeSeconds;
        await access.revokeUser({ userId: request.userId, issuedBefore: request.issuedBefore, roomId: request.roomId, expiresAt });
        // A row without tokenIssuedAt predates this feature: its token is older than any revocation.
        targets = await collect(store.userConnections(request.userId), (h) => inRoom(h) && (h.tokenIssuedAt ?? 0) < request.issuedBefore);
      }
      const outcome = await disconnector.close(targets, notice);
      logger.info('revocation', { ...request, ...callerLogFields(callerId), expiresAt, ...outcome });
      return { expiresAt, ...outcome };
    },
  };
}
