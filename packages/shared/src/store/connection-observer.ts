import type { ConnectionRecord } from './connection-item.ts';

/**
 * Why a connection's row was removed, as presence `leave` and the `roomgate.connection.closed`
 * event report it:
 * - `disconnect`: API Gateway's `$disconnect` (the client closed, or API Gateway did);
 * - `kicked`: the Rooms API's `DELETE …/users/{userId}`;
 * - `banned`: a ban closed it (issue 15's revocation);
 * - `expired`: its token expired and the socket service closed it;
 * - `gone`: a fan-out or kick found it gone (410) or silent past the liveness window
 *   (LIVENESS_WINDOW_SECONDS), i.e. a close no handler saw;
 * - `closed`: any other deliberate close.
 */
export type CloseReason = 'disconnect' | 'kicked' | 'banned' | 'revoked' | 'expired' | 'gone' | 'closed';

/**
 * Told about every row the connection store adds or removes, after the write succeeded, so that
 * presence frames and lifecycle events follow the rows whichever path wrote them ($connect,
 * $disconnect, a kick, a ban, fan-out's clean-up). `removed` is called only when this call removed
 * the row (never for a row already gone, or kept), so one removal is announced once.
 *
 * The store awaits both (a Lambda may be frozen as soon as its handler returns) and ignores what
 * they throw: an observer logs its own failures and never fails the write it follows.
 */
export interface ConnectionObserver {
  added(record: ConnectionRecord): Promise<void>;
  removed(record: ConnectionRecord, reason: CloseReason): Promise<void>;
}
