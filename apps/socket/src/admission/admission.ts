import type { AccessStore } from '@roomgate/shared/access';
import { TooManyConnectionsError } from '@roomgate/shared/errors';
import type { ConnectionStore } from '@roomgate/shared/store';
import type { RoomGrant } from '@roomgate/shared/tokens';

export interface AdmissionOptions {
  access: Pick<AccessStore, 'assertAdmitted' | 'claimSingleUse'>;
  store: Pick<ConnectionStore, 'userConnections'>;
  /** MAX_CONNECTIONS_PER_USER: one user's connections in one room at most; 0 = no cap. */
  maxConnectionsPerUser: number;
}

/**
 * Who may stay in the room (docs/security.md): bans, revocations, single-use tokens and the
 * per-user connection cap, checked for a grant the verifier has already accepted.
 */
export interface Admission {
  /**
   * `$connect`, called after the connection's row was written (so a ban that lands after this
   * read finds the row when it closes the user's connections; docs/security.md, races). The access
   * read (one BatchGetItem), the single-use claim (one conditional PutItem) and, with a cap, the
   * count of the user's connections (a Query on `byUser`) run at once: one round trip.
   * Throws UserBannedError, TokenRevokedError, TokenReusedError, TooManyConnectionsError,
   * StoreUnavailableError; the caller deletes the row and refuses.
   */
  admitConnection(grant: RoomGrant, connectionId: string): Promise<void>;
  /**
   * `refresh`: the ban and revocation read, and a single-use token is claimed here too — once used
   * (to connect or to refresh), it is spent; a leaked one cannot keep extending live connections.
   */
  admitRefresh(grant: RoomGrant): Promise<void>;
}

export function createAdmission(options: AdmissionOptions): Admission {
  const { access, store, maxConnectionsPerUser } = options;
  const subject = (grant: RoomGrant) => ({ roomId: grant.roomId, userId: grant.userId, tokenId: grant.tokenId, issuedAt: grant.issuedAt });

  const assertBelowCap = async (grant: RoomGrant, connectionId: string): Promise<void> => {
    if (maxConnectionsPerUser === 0 || grant.userId === undefined) return;
    let others = 0;
    // `byUser` is eventually consistent: two connects racing may both pass (or both see each other).
    for await (const holder of store.userConnections(grant.userId)) {
      if (holder.roomId === grant.roomId && holder.connectionId !== connectionId) others += 1;
    }
    if (others >= maxConnectionsPerUser) throw new TooManyConnectionsError(maxConnectionsPerUser);
  };

  const claimSingleUse = (grant: RoomGrant): Promise<void>[] =>
    grant.singleUse === true && grant.tokenId !== undefined ? [access.claimSingleUse(grant.tokenId, grant.expiresAt)] : [];

  return {
    async admitConnection(grant, connectionId) {
      await firstRefusal([access.assertAdmitted(subject(grant)), assertBelowCap(grant, connectionId), ...claimSingleUse(grant)]);
    },
    async admitRefresh(grant) {
      await firstRefusal([access.assertAdmitted(subject(grant)), ...claimSingleUse(grant)]);
    },
  };
}

/** Waits for every check, then throws the first refusal in `checks` order: a ban or revocation says more than a reuse. */
async function firstRefusal(checks: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(checks);
  for (const result of results) if (result.status === 'rejected') throw result.reason;
}
