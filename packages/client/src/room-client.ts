import {
  encodeClientFrame,
  FrameError,
  isHistoryReply,
  isMembersReply,
  isPresenceFrame,
  parseServerFrame,
  type ClientFrame,
  type HistoryReplyFrame,
  type ServerFrame,
} from '@roomgate/protocol';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff.ts';
import { createEmitter } from './emitter.ts';
import { RoomClientError } from './errors.ts';
import { createPendingRequests } from './pending-requests.ts';
import { toRoomMessage } from './room-stream.ts';
import { createSequencer, type HistoryQuery } from './sequencer.ts';
import { createTimerSet, systemTimers } from './timer-set.ts';
import { fetchGrant, refreshDelay, type ResolvedGrant } from './token-grant.ts';
import { openSocket, resolveWebSocket } from './web-socket.ts';
import type { PublishAck, RoomClient, RoomMembers, RoomClientEvents, RoomClientOptions, RoomClientState, StateChange, WebSocketLike } from './types.ts';

const MINUTE = 60_000;
/** Messages held per room while a gap or a recovery is pending; past it, history is asked at once. */
const MAX_HELD_MESSAGES = 1_000;
const noop = () => undefined;
type WithoutId<F> = F extends ClientFrame ? Omit<F, 'id'> : never;
type Request = WithoutId<ClientFrame>;

/**
 * One room connection that keeps itself alive: a fresh token for every connection attempt, a ping
 * when nothing else was sent for `pingIntervalMs`, an in-place `refresh` before the token expires,
 * a planned reconnect before API Gateway's 2 h cap, and exponential backoff with jitter while
 * attempts keep failing (reset once a connection opens). With `recovery` (the default) every open
 * asks the room's history for what was missed, and messages reach the application exactly once
 * and in order (`sequencer.ts`).
 */
/** Error frames after which the server closed the connection for good: the client does not reconnect. */
const FINAL_CLOSE_CODES: ReadonlySet<string> = new Set(['ERR_KICKED', 'ERR_USER_BANNED']);

export function createRoomClient(options: RoomClientOptions): RoomClient {
  const WebSocketImpl = resolveWebSocket(options.WebSocket);
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  const pingIntervalMs = options.pingIntervalMs ?? 5 * MINUTE;
  const refreshBeforeExpiryMs = options.refreshBeforeExpiryMs ?? MINUTE;
  const maxConnectionAgeMs = options.maxConnectionAgeMs ?? 115 * MINUTE;
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const timers = createTimerSet<'retry' | 'ping' | 'refresh' | 'maxAge'>(options.timers ?? systemTimers);
  const pending = createPendingRequests(options.timers ?? systemTimers, requestTimeoutMs);
  const events = createEmitter<RoomClientEvents>();
  const sequencer =
    options.recovery === false
      ? undefined
      : createSequencer({
          ...(options.roomId === undefined ? {} : { roomId: options.roomId }),
          fetchHistory,
          deliver: (message) => events.emit('message', message),
          onRecovery: (event) => events.emit('recovery', event),
          timers: options.timers ?? systemTimers,
          gapWaitMs: options.gapWaitMs ?? 500,
          maxHeld: MAX_HELD_MESSAGES,
        });

  let state: RoomClientState = 'closed';
  let socket: WebSocketLike | undefined;
  /** Consecutive failed attempts; drives the backoff. */
  let failures = 0;
  /** Bumped by every attempt and by close(): async work that started earlier sees it and stops. */
  let session = 0;
  let nextId = 1;
  let waiters: Array<{ resolve: () => void; reject: (error: RoomClientError) => void }> = [];

  const setState = (next: RoomClientState, details: Omit<StateChange, 'state' | 'previous'> = {}) => {
    const previous = state;
    if (next === previous && next !== 'reconnecting') return;
    state = next;
    events.emit('state', { state: next, previous, ...details });
  };

  const settleWaiters = (error?: RoomClientError) => {
    const current = waiters;
    waiters = [];
    for (const waiter of current) {
      if (error) waiter.reject(error);
      else waiter.resolve();
    }
  };

  /** Forgets the current socket: its late events are ignored and its timers stop. */
  const detach = (): WebSocketLike | undefined => {
    const old = socket;
    socket = undefined;
    timers.cancel('ping');
    timers.cancel('refresh');
    timers.cancel('maxAge');
    sequencer?.pause();
    if (old) {
      // Not null: `ws` raises an aborted handshake as an 'error' event, which must have a listener.
      old.onopen = old.onmessage = old.onclose = old.onerror = noop;
    }
    return old;
  };

  const retry = (error: RoomClientError) => {
    const delay = backoffDelay(failures, backoff, random);
    failures += 1;
    setState('reconnecting', { error, retryInMs: delay, attempt: failures });
    timers.schedule('retry', delay, () => void attempt());
  };

  const stop = (error?: RoomClientError) => {
    session += 1;
    timers.cancelAll();
    detach()?.close(1000, 'client closed');
    pending.rejectAll(error ?? new RoomClientError('ERR_CLIENT_CLOSED', 'client closed'));
    settleWaiters(error ?? new RoomClientError('ERR_CLIENT_CLOSED', 'client closed before the connection opened'));
    failures = 0;
    setState('closed', error ? { error } : {});
  };

  /** Drops the open connection and starts over: at once when planned, with backoff after a failure. */
  const recycle = (error?: RoomClientError) => {
    detach()?.close(1000, error ? 'reconnecting after a failure' : 'planned reconnect');
    pending.rejectAll(error ?? new RoomClientError('ERR_CONNECTION_LOST', 'connection replaced by a planned reconnect'));
    if (error) {
      events.emit('error', error);
      retry(error);
    } else {
      setState('reconnecting', { retryInMs: 0, attempt: 0 });
      void attempt();
    }
  };

  const fail = (error: unknown) => {
    const failure = error instanceof RoomClientError ? error : new RoomClientError('ERR_CONNECT_REFUSED', String(error), { cause: error });
    events.emit('error', failure);
    if (failure.retryable) retry(failure);
    else stop(failure);
  };

  async function attempt(): Promise<void> {
    const mine = ++session;
    let grant: ResolvedGrant;
    try {
      grant = await fetchGrant(options.getToken, now);
    } catch (error) {
      if (mine === session) fail(error);
      return;
    }
    if (mine !== session) return;
    let ws: WebSocketLike;
    try {
      ws = openSocket(WebSocketImpl, grant.socketUrl, grant.token, options.roomId);
    } catch (error) {
      // A malformed URL throws synchronously; the next token may carry a better one.
      fail(new RoomClientError('ERR_CONNECT_REFUSED', `cannot open ${grant.socketUrl}`, { cause: error }));
      return;
    }
    socket = ws;
    let opened = false;
    let lastServerError: RoomClientError | undefined;

    ws.onopen = () => {
      opened = true;
      failures = 0;
      setState('open');
      armPing();
      timers.schedule('refresh', refreshDelay(grant, refreshBeforeExpiryMs, now()), () => void refresh());
      timers.schedule('maxAge', maxConnectionAgeMs, () => recycle());
      // A state listener may have closed the client already.
      if (socket === ws) sequencer?.open();
      settleWaiters();
    };
    ws.onmessage = (event) => {
      const error = onFrame(event.data);
      if (error) lastServerError = error;
    };
    ws.onerror = noop; // the close event that follows carries what there is to know
    ws.onclose = (event) => {
      detach();
      const failure = opened
        ? new RoomClientError(
            'ERR_CONNECTION_LOST',
            lastServerError ? `connection closed by the server: ${lastServerError.message}` : `connection closed (${event.code})`,
            // Reconnecting with a fresh token would undo a moderator's kick, and a ban refuses it anyway.
            { closeCode: event.code, cause: lastServerError, retryable: !FINAL_CLOSE_CODES.has(lastServerError?.code ?? '') },
          )
        : // Browsers report a refused handshake (401/403) and an unreachable server alike as 1006.
          new RoomClientError('ERR_CONNECT_REFUSED', `connection refused (${event.code}): token rejected or server unreachable`, { closeCode: event.code });
      pending.rejectAll(failure);
      fail(failure);
    };
  }

  /** Returns the server error the frame carried, if it answered no request. */
  function onFrame(data: unknown): RoomClientError | undefined {
    const frame = parseServerFrame(data);
    if (!frame) {
      events.emit('error', new RoomClientError('ERR_PROTOCOL', 'the server sent a message that is not a roomgate frame'));
      return undefined;
    }
    if (frame.type === 'message') {
      const message = toRoomMessage(frame);
      if (sequencer) sequencer.receive(message);
      else events.emit('message', message);
      return undefined;
    }
    if (frame.type === 'presence') {
      if (isPresenceFrame(frame)) {
        const { roomId, event, userId, at } = frame;
        events.emit('presence', { roomId, event, ...(userId === undefined ? {} : { userId }), at });
      }
      return undefined;
    }
    if (pending.settle(frame) || frame.type !== 'error') return undefined;
    const error = new RoomClientError(frame.code, frame.message);
    events.emit('error', error);
    return error;
  }

  function request(frame: Request, what: string): Promise<ServerFrame> {
    const ws = socket;
    if (!ws || state !== 'open') return Promise.reject(new RoomClientError('ERR_NOT_OPEN', `cannot ${what}: the connection is ${state}`));
    const id = nextId++;
    let text: string;
    try {
      // The server's frame rules (API Gateway's 128 KB, the nesting limit) checked before sending:
      // a frame the server would refuse fails at once instead of after the request timeout.
      text = encodeClientFrame({ ...frame, id } as ClientFrame);
    } catch (error) {
      if (!(error instanceof FrameError)) throw error;
      return Promise.reject(new RoomClientError(error.code, `cannot ${what}: ${error.message}`, { retryable: false }));
    }
    const reply = pending.track(id, what);
    try {
      ws.send(text);
    } catch (error) {
      pending.reject(id, new RoomClientError('ERR_NOT_OPEN', `cannot ${what}: send failed`, { cause: error }));
    }
    armPing(); // any frame counts as activity for API Gateway's idle timeout
    return reply;
  }

  async function fetchHistory(query: HistoryQuery): Promise<HistoryReplyFrame> {
    const reply = await request({ action: 'history', ...query }, 'history');
    if (!isHistoryReply(reply)) throw new RoomClientError('ERR_PROTOCOL', `expected a history reply, got ${reply.type}`);
    return reply;
  }

  function armPing() {
    timers.schedule('ping', pingIntervalMs, () => {
      const ws = socket;
      request({ action: 'ping' }, 'ping').catch((error: RoomClientError) => {
        // No pong in time: the connection is likely half-open (a sleeping laptop, a NAT drop).
        if (ws === socket && error.code === 'ERR_REQUEST_TIMEOUT') recycle(error);
      });
    });
  }

  async function refresh(): Promise<void> {
    const ws = socket;
    try {
      const grant = await fetchGrant(options.getToken, now);
      if (ws !== socket) return;
      const reply = await request({ action: 'refresh', token: grant.token }, 'refresh');
      if (ws !== socket) return;
      if (reply.type === 'refreshed') events.emit('refreshed', { tokenExpiresAt: reply.tokenExpiresAt * 1000 });
      timers.schedule('refresh', refreshDelay(grant, refreshBeforeExpiryMs, now()), () => void refresh());
    } catch (error) {
      if (ws !== socket) return;
      const failure = error as RoomClientError;
      if (!failure.retryable) {
        events.emit('error', failure);
        stop(failure);
        return;
      }
      // A new connection goes through the same token fetch and backoff, and the old token is
      // about to expire anyway; one recovery path is simpler than a second retry loop here.
      recycle(failure);
    }
  }

  return {
    get state() {
      return state;
    },
    connect() {
      const opened = new Promise<void>((resolve, reject) => {
        if (state === 'open') resolve();
        else waiters.push({ resolve, reject });
      });
      // Marked handled so `void client.connect()` cannot raise an unhandled rejection on close();
      // whoever awaits the returned promise still sees the rejection.
      opened.catch(noop);
      if (state === 'closed') {
        setState('connecting');
        void attempt();
      }
      return opened;
    },
    async publish(data: unknown): Promise<PublishAck> {
      const reply = await request({ action: 'publish', data }, 'publish');
      if (reply.type !== 'ack') throw new RoomClientError('ERR_PROTOCOL', `expected an ack, got ${reply.type}`);
      const ack: PublishAck = { delivered: reply.delivered, failed: reply.failed, stale: reply.stale };
      if (reply.seq !== undefined) ack.seq = reply.seq;
      if (reply.epoch !== undefined) ack.epoch = reply.epoch;
      if (reply.publishId !== undefined) ack.publishId = reply.publishId;
      if (reply.queued !== undefined) ack.queued = true;
      return ack;
    },
    async members(): Promise<RoomMembers> {
      const reply = await request({ action: 'members' }, 'members');
      if (!isMembersReply(reply)) throw new RoomClientError('ERR_PROTOCOL', `expected a members reply, got ${reply.type}`);
      return { roomId: reply.roomId, members: reply.members, count: reply.count, truncated: reply.truncated === true };
    },
    close() {
      if (state !== 'closed') stop();
    },
    on: events.on,
  };
}
