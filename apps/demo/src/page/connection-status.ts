import type { RecoveryEvent, RoomClientError, StateChange } from '@roomgate/client';

/** What the page shows: `refused` is the client's `reconnecting`/`closed` when the token or handshake was refused. */
export type StatusKind = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'refused' | 'closed';

export interface Status {
  kind: StatusKind;
  label: string;
  notice?: { tone: 'info' | 'warn' | 'error'; text: string };
}

/** Turns a client state change into the words a person reads. Pure, so it is tested without a DOM. */
export function describeStatus(change: StateChange): Status {
  const error = change.error;
  switch (change.state) {
    case 'connecting':
      return { kind: 'connecting', label: 'Connecting…' };
    case 'open':
      return { kind: 'open', label: 'Connected' };
    case 'closed':
      if (!error) return { kind: 'closed', label: 'Disconnected' };
      return {
        kind: 'refused',
        label: 'Refused',
        notice: { tone: 'error', text: `Token refused: ${reasonOf(error)}. Check the room and name, then join again.` },
      };
    case 'reconnecting': {
      const retry = retryText(change.retryInMs);
      if (!error)
        return { kind: 'reconnecting', label: 'Reconnecting…', notice: { tone: 'info', text: 'Renewing the connection before API Gateway’s 2-hour limit.' } };
      if (error.code === 'ERR_CONNECT_REFUSED') {
        return {
          kind: 'refused',
          label: 'Refused',
          notice: {
            tone: 'warn',
            text: `The socket service refused the connection (token rejected or service unreachable). Getting a fresh token and retrying ${retry}.`,
          },
        };
      }
      if (error.code === 'ERR_TOKEN_FETCH_FAILED') {
        return {
          kind: 'reconnecting',
          label: 'Reconnecting…',
          notice: { tone: 'warn', text: `Could not get a token: ${reasonOf(error)}. Retrying ${retry}.` },
        };
      }
      if (error.code === 'ERR_CONNECTION_LOST') {
        return {
          kind: 'reconnecting',
          label: 'Reconnecting…',
          notice: { tone: 'warn', text: `Connection dropped: ${dropReason(error)}. Reconnecting with a fresh token ${retry}.` },
        };
      }
      return { kind: 'reconnecting', label: 'Reconnecting…', notice: { tone: 'warn', text: `${error.message} (${error.code}). Reconnecting ${retry}.` } };
    }
  }
}

/**
 * The notice for a recovery that could not bring back everything (history expired, or the room's
 * history was reset); nothing for a full recovery, which needs no words.
 */
export function describeRecovery(event: RecoveryEvent): Status['notice'] {
  if (event.recovered) return undefined;
  const what = event.missed
    ? event.missed.from === event.missed.to
      ? `Message #${event.missed.from} is`
      : `${event.missed.to - event.missed.from + 1} messages (#${event.missed.from}–#${event.missed.to}) are`
    : 'Earlier messages are';
  return { tone: 'warn', text: `${what} no longer in the room's history and could not be shown. Reload to start fresh.` };
}

/** The cause's message and code when the client wrapped one (the demo backend's refusal). */
function reasonOf(error: RoomClientError): string {
  const cause = error.cause as { message?: unknown; code?: unknown } | undefined;
  if (cause && typeof cause.message === 'string') return typeof cause.code === 'string' ? `${cause.message} (${cause.code})` : cause.message;
  return error.message;
}

function dropReason(error: RoomClientError): string {
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  if (cause && typeof cause.message === 'string') return `${cause.message} (${String(cause.code)})`;
  return error.closeCode === undefined ? 'the connection closed' : `close code ${error.closeCode}`;
}

function retryText(ms: number | undefined): string {
  if (!ms) return 'now';
  return ms < 1_000 ? `in ${(ms / 1000).toFixed(1)} s` : `in ${Math.round(ms / 1000)} s`;
}
