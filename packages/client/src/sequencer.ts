import type { RoomClientError } from './errors.ts';
import type { HistoryReplyFrame, MissedRange } from '@roomgate/protocol';
import { createRoomStream, toStreamEntry, type RoomPosition, type RoomStream, type SequencedMessage } from './room-stream.ts';
import { createTimerSet } from './timer-set.ts';
import type { RecoveryEvent, RoomMessage, Timers } from './types.ts';

/** What one `history` request asks for (the frame without `action` and `id`). */
export interface HistoryQuery {
  roomId?: string;
  epoch?: string;
  since?: number;
}

export interface SequencerOptions {
  /** The connection's room when the caller knows it; otherwise the first reply or message names it. */
  roomId?: string;
  /** Sends one `history` request; rejects with a RoomClientError (its `code` decides what happens next). */
  fetchHistory(query: HistoryQuery): Promise<HistoryReplyFrame>;
  /** Receives every message exactly once, in order per room. */
  deliver(message: RoomMessage): void;
  onRecovery(event: RecoveryEvent): void;
  timers: Timers;
  /** How long to wait for a missing message before asking history for it. */
  gapWaitMs: number;
  /** Messages held per room while waiting (ahead of a gap, or during a recovery); past it, history is asked at once. */
  maxHeld: number;
  /** Failed history requests (or fills that filled nothing) in a row before a gap is given up and reported. Default 3. */
  maxAttempts?: number;
}

/**
 * Per-room ordering and recovery between the socket and the application: the client calls
 * `open()` when a connection opens, `pause()` when it goes, and `receive()` for every message.
 */
export interface Sequencer {
  /** Recovers every room known so far, or learns the position of the connection's room; live messages wait meanwhile. */
  open(): void;
  /** The connection is gone: timers stop and replies still in flight are ignored; the next `open()` starts over from the position. */
  pause(): void;
  receive(message: RoomMessage): void;
  /** false once the server said it keeps no history: messages then pass through as they come. */
  readonly enabled: boolean;
  positionOf(roomId: string): RoomPosition | undefined;
}

interface Room {
  roomId: string | undefined;
  /** Created once the room is named. */
  stream: RoomStream | undefined;
  /** Recovering after an open: live messages wait in `queue` until the history reply is handled. */
  syncing: boolean;
  queue: SequencedMessage[];
  /** The highest queued message dropped because the queue was full: history has it. */
  dropped: SequencedMessage | undefined;
  reconnect: boolean;
  inFlight: boolean;
  /** Where the running gap fill started, to tell a fill that made progress from one that did not. */
  fillFrom: number;
  failures: number;
  replayed: number;
  recovered: boolean;
  missed: MissedRange | undefined;
}

/** Failures that end with the connection: the next open recovers anyway. */
const CONNECTION_CODES = new Set(['ERR_CONNECTION_LOST', 'ERR_NOT_OPEN', 'ERR_CLIENT_CLOSED']);
/** The stage keeps no history, or the server predates it: asking again cannot help. */
const NO_HISTORY_CODES = new Set(['ERR_HISTORY_DISABLED', 'ERR_UNKNOWN_ACTION']);

/**
 * Delivers each room's messages exactly once and in order across reconnects, within the room's
 * history window (`docs/architecture.md`, "History and recovery"). A message that arrives ahead
 * of a missing one is held for `gapWaitMs`, then the gap is filled from history; what history no
 * longer has is skipped and reported through `onRecovery` with `recovered: false`.
 */
export function createSequencer(options: SequencerOptions): Sequencer {
  const maxAttempts = options.maxAttempts ?? 3;
  const rooms = new Map<string, Room>();
  /** A room asked about before its id was known (no `roomId` option): the first reply or message names it. */
  let unnamed: Room | undefined;
  /** Bumped by every open and pause: replies to older requests are ignored. */
  let generation = 0;
  let enabled = true;
  const timers = createTimerSet<string>(options.timers);

  const allRooms = () => [...rooms.values(), ...(unnamed ? [unnamed] : [])];
  const timerOf = (room: Room) => `gap:${room.roomId ?? ''}`;

  const name = (room: Room, roomId: string) => {
    room.roomId = roomId;
    room.stream = createRoomStream(roomId, options.deliver, options.maxHeld);
    rooms.set(roomId, room);
    if (unnamed === room) unnamed = undefined;
  };

  const newRoom = (roomId: string | undefined): Room => {
    const room: Room = {
      roomId: undefined,
      stream: undefined,
      syncing: false,
      queue: [],
      dropped: undefined,
      reconnect: false,
      inFlight: false,
      fillFrom: 0,
      failures: 0,
      replayed: 0,
      recovered: true,
      missed: undefined,
    };
    if (roomId === undefined) unnamed = room;
    else name(room, roomId);
    return room;
  };

  const resetOutcome = (room: Room) => {
    room.replayed = 0;
    room.recovered = true;
    room.missed = undefined;
  };

  const markLost = (room: Room, missed: MissedRange | undefined) => {
    room.recovered = false;
    room.missed ??= missed;
  };

  const emitRecovery = (room: Room, reconnect: boolean) => {
    options.onRecovery({
      roomId: room.roomId ?? '',
      recovered: room.recovered,
      ...(room.missed ? { missed: room.missed } : {}),
      replayed: room.replayed,
      reconnect,
    });
  };

  /** A live message once the room's reply is handled; without a known position it starts there. */
  const acceptLive = (room: Room, message: SequencedMessage) => {
    const stream = room.stream!;
    if (!stream.position) stream.start({ epoch: message.epoch, seq: message.seq - 1 }, 0);
    stream.accept(message);
  };

  const releaseQueue = (room: Room, sorted: boolean) => {
    const queued = sorted ? [...room.queue].sort((a, b) => a.seq - b.seq) : room.queue;
    room.queue = [];
    for (const message of queued) acceptLive(room, message);
    const dropped = room.dropped;
    room.dropped = undefined;
    if (dropped && dropped.epoch === room.stream?.position?.epoch) room.stream.noteLast(dropped.seq);
  };

  function ask(room: Room, pageSince?: number): void {
    const position = room.stream?.position;
    const query: HistoryQuery = room.roomId === undefined ? {} : { roomId: room.roomId };
    const since = pageSince ?? position?.seq;
    if (since !== undefined) query.since = since;
    if (since !== undefined && position?.epoch) query.epoch = position.epoch;
    const mine = generation;
    room.inFlight = true;
    options.fetchHistory(query).then(
      (reply) => {
        if (mine !== generation) return;
        room.inFlight = false;
        onReply(room, reply);
      },
      (error: RoomClientError) => {
        if (mine !== generation) return;
        room.inFlight = false;
        onFailure(room, error);
      },
    );
  }

  function startSync(room: Room): void {
    if (!room.syncing) {
      resetOutcome(room);
      room.failures = 0;
    }
    room.syncing = true;
    // A first connect (no position yet) has nothing to recover; it reports only a loss (onReply).
    room.reconnect ||= room.stream?.position !== undefined;
    ask(room);
  }

  function fill(room: Room): void {
    resetOutcome(room);
    room.fillFrom = room.stream!.position!.seq;
    ask(room);
  }

  function onReply(room: Room, reply: HistoryReplyFrame): void {
    if (room.roomId === undefined) name(room, reply.roomId);
    const stream = room.stream!;
    const position = stream.position;
    const first = reply.messages[0]?.seq;
    if (!position) {
      // First connect: the reply replays what was published since this connection joined (the
      // server recorded the join at `$connect`); the position follows them, or is `lastSeq` when
      // there are none. Live messages buffered meanwhile come after: those at or before it are
      // duplicates or from before the join, and are dropped.
      const from = first === undefined ? reply.lastSeq : first - 1;
      const epoch = reply.messages[0]?.epoch ?? reply.epoch;
      stream.start({ epoch, seq: from }, reply.lastSeq);
      if (!reply.recovered) markLost(room, reply.missed);
    } else {
      // Where delivery resumes when the range cannot be served whole.
      const resumeAt = reply.missed?.to ?? (first === undefined ? reply.lastSeq : first - 1);
      if (reply.epoch !== position.epoch) {
        // `null`: the room had no history when this client last asked, so it lost nothing.
        const reset = position.epoch !== null;
        if (reset || !reply.recovered) markLost(room, reply.missed);
        stream.rebase({ epoch: reply.epoch, seq: reset || !reply.recovered ? resumeAt : 0 }, reply.lastSeq);
      } else if (!reply.recovered) {
        markLost(room, reply.missed);
        stream.skipTo(resumeAt);
      }
      stream.noteLast(reply.lastSeq);
    }
    for (const frame of reply.messages) {
      const entry = toStreamEntry(frame);
      if (stream.accept(entry) && !('skipped' in entry)) room.replayed += 1;
    }
    const last = reply.messages.at(-1);
    if (reply.more && last) {
      ask(room, last.seq);
      return;
    }
    if (room.syncing) {
      room.syncing = false;
      room.failures = 0;
      releaseQueue(room, false);
      // A first connect reports only a loss (what was published since the join is gone already).
      if (room.reconnect) emitRecovery(room, true);
      else if (!room.recovered) emitRecovery(room, false);
      room.reconnect = false;
    } else {
      if (!room.recovered) emitRecovery(room, false);
      const stuck = stream.hasGap() && stream.position!.seq === room.fillFrom;
      room.failures = stuck ? room.failures + 1 : 0;
      if (room.failures >= maxAttempts) {
        giveUp(room);
        return;
      }
    }
    resetOutcome(room);
    checkGap(room);
  }

  function onFailure(room: Room, error: RoomClientError): void {
    if (NO_HISTORY_CODES.has(error.code)) {
      disable();
      return;
    }
    if (CONNECTION_CODES.has(error.code)) return;
    room.failures += 1;
    if (room.failures >= maxAttempts) {
      giveUp(room);
      return;
    }
    timers.schedule(timerOf(room), options.gapWaitMs, () => (room.syncing ? ask(room) : fill(room)));
  }

  /** History could not be had: deliver what is held, in order, and say what is missing. */
  function giveUp(room: Room): void {
    room.failures = 0;
    const wasSyncing = room.syncing;
    room.syncing = false;
    if (wasSyncing && room.reconnect) markLost(room, undefined);
    if (room.stream) releaseQueue(room, true);
    const stream = room.stream;
    if (stream?.hasGap()) markLost(room, stream.skipTo((stream.lowestHeld() ?? stream.knownLast + 1) - 1));
    if (wasSyncing ? room.reconnect : !room.recovered) emitRecovery(room, wasSyncing);
    room.reconnect = false;
    resetOutcome(room);
  }

  function checkGap(room: Room): void {
    const stream = room.stream;
    if (!enabled || room.syncing || room.inFlight || !stream) return;
    const timer = timerOf(room);
    if (!stream.hasGap()) {
      timers.cancel(timer);
      room.failures = 0;
    } else if (stream.heldCount >= options.maxHeld) {
      timers.cancel(timer);
      fill(room);
    } else if (!timers.has(timer)) {
      timers.schedule(timer, options.gapWaitMs, () => fill(room));
    }
  }

  function disable(): void {
    enabled = false;
    generation += 1;
    timers.cancelAll();
    for (const room of allRooms()) {
      room.syncing = false;
      room.inFlight = false;
      if (room.stream) {
        releaseQueue(room, true);
        room.stream.drain();
      } else {
        for (const message of room.queue.splice(0)) options.deliver(message);
      }
    }
  }

  return {
    get enabled() {
      return enabled;
    },
    open() {
      if (!enabled) return;
      generation += 1;
      timers.cancelAll();
      if (rooms.size === 0 && !unnamed) newRoom(options.roomId);
      for (const room of allRooms()) {
        room.inFlight = false;
        startSync(room);
      }
    },
    pause() {
      generation += 1;
      timers.cancelAll();
      for (const room of allRooms()) room.inFlight = false;
    },
    receive(message) {
      if (!enabled || message.seq === undefined || message.epoch === undefined) {
        options.deliver(message);
        return;
      }
      const sequenced = message as SequencedMessage;
      let room = rooms.get(message.roomId);
      if (!room && unnamed) {
        room = unnamed;
        name(room, message.roomId);
      }
      if (!room) {
        // A room this connection never asked about: learn its position like on a first connect.
        room = newRoom(message.roomId);
        startSync(room);
      }
      if (room.syncing) {
        if (room.queue.length < options.maxHeld) room.queue.push(sequenced);
        else if (!room.dropped || sequenced.seq > room.dropped.seq) room.dropped = sequenced;
        return;
      }
      acceptLive(room, sequenced);
      checkGap(room);
    },
    positionOf: (roomId) => rooms.get(roomId)?.stream?.position,
  };
}
