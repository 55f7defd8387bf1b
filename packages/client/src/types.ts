import type { BackoffOptions } from './backoff.ts';
import type { RoomClientError } from './errors.ts';

/** What `getToken()` returns: the token API's `POST /v1/tokens` response fits as is. */
export interface TokenGrant {
  token: string;
  /** Ready for `new WebSocket()`. */
  socketUrl: string;
  /** ISO 8601 (as the token API returns it) or epoch milliseconds. */
  expiresAt: string | number;
  /**
   * Seconds from issue to expiry. Preferred over `expiresAt` when present: measured from the
   * moment the client asked, it is immune to skew between the browser's clock and the server's.
   */
  expiresIn?: number;
}

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * The parts of a WebSocket the client uses; the browser's `WebSocket` and `ws`'s both fit.
 * Handlers are declared through a method so either implementation's event type is accepted.
 */
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'] | null;
export interface WebSocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown>;
  onmessage: Handler<{ data: unknown }>;
  onclose: Handler<{ code: number; reason: string }>;
  onerror: Handler<unknown>;
}
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

export interface RoomClientOptions {
  /** Called for every connection attempt and every refresh; throw an error with `retryable: false` to make the client give up. */
  getToken: () => Promise<TokenGrant>;
  /** Default `globalThis.WebSocket`; in Node < 22 pass `ws`'s `WebSocket`. */
  WebSocket?: WebSocketConstructor;
  /** Sent as `?room=`, so a token for another room is refused (403) instead of joining it. */
  roomId?: string;
  /** Keep-alive cadence when nothing else is sent (API Gateway drops idle connections at 10 min). Default 5 min. */
  pingIntervalMs?: number;
  /** Refresh the token this long before it expires (capped at half its lifetime). Default 60 s. */
  refreshBeforeExpiryMs?: number;
  /** Reconnect with a fresh token after this long, before API Gateway's 2 h cap cuts the connection. Default 115 min. */
  maxConnectionAgeMs?: number;
  /** How long a publish, ping or refresh waits for its reply. Default 10 s. */
  requestTimeoutMs?: number;
  backoff?: Partial<BackoffOptions>;
  /**
   * Recover what the room published while the client was away, and deliver every message exactly
   * once and in order (needs a stage that keeps history; see the README). Default true; false
   * delivers frames as they arrive and never asks for history.
   */
  recovery?: boolean;
  /** How long a message that arrived ahead of a missing one is held before the gap is filled from history. Default 500 ms. */
  gapWaitMs?: number;
  timers?: Timers;
  /** Epoch milliseconds. */
  now?: () => number;
  /** 0..1, for backoff jitter. */
  random?: () => number;
}

export type RoomClientState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface StateChange {
  state: RoomClientState;
  previous: RoomClientState;
  /** Why the client is reconnecting or stopped (absent for planned transitions). */
  error?: RoomClientError;
  /** For `reconnecting`: when the next attempt starts. */
  retryInMs?: number;
  /** For `reconnecting`: consecutive failed attempts so far (0 for a planned reconnect). */
  attempt?: number;
}

export interface RoomMessage {
  roomId: string;
  /** The sender's user id, from its token (never from the message body). */
  from?: string;
  data: unknown;
  /** Epoch seconds, server clock. */
  sentAt: number;
  /** The message's place in the room's stream (integer ≥ 1); absent when the stage keeps no history. */
  seq?: number;
  /** The identity of the room's stream `seq` counts in; absent when the stage keeps no history. */
  epoch?: string;
}

export interface PublishAck {
  /** The publish's id; absent from servers without large-room support. */
  publishId?: string;
  /**
   * True when the room was large enough to be fanned out by shards after the ack: the counts
   * below are then 0, not the delivery's (the backend can follow it by `publishId`).
   */
  queued?: boolean;
  delivered: number;
  failed: number;
  stale: number;
  /** The sequence number the message got; absent when the stage keeps no history. */
  seq?: number;
  epoch?: string;
}

/**
 * How a recovery went. Emitted after every reconnect (`reconnect: true`), and while connected when
 * a gap could not be filled (`reconnect: false`, `recovered: false`). On the first connect only when
 * something published since the connection joined is already gone (`reconnect: false`,
 * `recovered: false`); otherwise the first connect has nothing to recover and emits nothing.
 */
export interface RecoveryEvent {
  roomId: string;
  /** false when messages are gone for good: the app may want to reload its state. */
  recovered: boolean;
  /** The inclusive range of sequence numbers that is gone, when known (absent when the room's history was reset). */
  missed?: { from: number; to: number };
  /** Messages delivered from history by this recovery. */
  replayed: number;
  reconnect: boolean;
}

/**
 * Another member joined or left (needs a token with the `presence` capability, and a room no
 * larger than the stage's `presenceMaxRoomSize`). At-least-once: keep a set of user ids and treat
 * a repeated join or leave as a no-op; call `members()` after each (re)connect for the full set.
 */
export interface PresenceEvent {
  roomId: string;
  event: 'join' | 'leave';
  /** Absent for a connection without a user id. */
  userId?: string;
  /** Epoch seconds, server clock. */
  at: number;
}

/** The room's live members: distinct user ids (sorted, at most 128) and the live connection count. */
export interface RoomMembers {
  roomId: string;
  members: string[];
  count: number;
  /** true when the room has more user ids than were listed. */
  truncated: boolean;
}

export interface RoomClientEvents extends Record<string, unknown> {
  state: StateChange;
  message: RoomMessage;
  error: RoomClientError;
  /** The token was refreshed in place; epoch milliseconds of the new expiry (server clock). */
  refreshed: { tokenExpiresAt: number };
  recovery: RecoveryEvent;
  presence: PresenceEvent;
}

export interface RoomClient {
  readonly state: RoomClientState;
  /** Starts connecting (idempotent). Resolves once open; rejects if `close()` comes first or `getToken` fails for good. */
  connect(): Promise<void>;
  /** Sends `data` to the room; resolves with the server's ack. */
  publish(data: unknown): Promise<PublishAck>;
  /** The room's live members (needs the `presence` capability; ERR_CAPABILITY_FORBIDDEN otherwise). */
  members(): Promise<RoomMembers>;
  /** Closes the connection and stops every timer; `connect()` may start again later. */
  close(): void;
  /** Returns a function that removes the listener. */
  on<K extends keyof RoomClientEvents>(event: K, listener: (value: RoomClientEvents[K]) => void): () => void;
}
