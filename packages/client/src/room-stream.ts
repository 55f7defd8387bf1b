import type { HistorySkipFrame, MessageFrame, MissedRange } from '@roomgate/protocol';
import type { RoomMessage } from './types.ts';

/** A message that carries its place in the room's stream. */
export type SequencedMessage = RoomMessage & { seq: number; epoch: string };

/** A seq the server did not send to this member (a history skip entry): the position moves over it, nothing is delivered. */
export interface SkippedSeq {
  skipped: true;
  roomId: string;
  seq: number;
  epoch: string;
}

/** What a room's stream orders: messages, and the seqs that are not for this member. */
export type StreamEntry = SequencedMessage | SkippedSeq;

/**
 * The last message the application received from a room: `seq` in `epoch`. `epoch: null` means
 * the room had no history when the client asked (so any epoch that shows up later is new).
 */
export interface RoomPosition {
  epoch: string | null;
  seq: number;
}

/**
 * One room's ordering state, with no timers and no I/O: what has been delivered (`position`),
 * what arrived ahead of a missing message (held back, at most `maxHeld`), and the highest seq
 * known to exist (`knownLast`), so `hasGap()` also sees messages that were dropped from a full
 * buffer: they are in the room's history and come back through a gap fill.
 */
export interface RoomStream {
  readonly roomId: string;
  /** `undefined` until the room's position is learnt (first history reply or first message). */
  readonly position: RoomPosition | undefined;
  readonly knownLast: number;
  readonly heldCount: number;
  /** Sets the position without delivering anything (the position learnt on a first connect). */
  start(position: RoomPosition, lastSeq: number): void;
  /**
   * Takes a live or replayed message: a duplicate (seq ≤ position, or already held) is dropped,
   * the next one is delivered with every held one that follows it, a later one is held. A message
   * of another epoch means the room's history was reset: delivery restarts at that epoch's seq 0.
   * A skipped seq is ordered the same way but advances the position without delivering anything.
   * Returns true when the entry was new. Needs a position.
   */
  accept(message: StreamEntry): boolean;
  /** Records that `seq` exists (a history reply's `lastSeq`). */
  noteLast(seq: number): void;
  hasGap(): boolean;
  /** The smallest held seq, if any. */
  lowestHeld(): number | undefined;
  /** Gives up on everything up to `seq`: the position jumps there, held messages that follow are delivered. Returns the skipped range. */
  skipTo(seq: number): MissedRange | undefined;
  /** Moves to another epoch (a history reply said the old one is gone); held messages of the old epoch are delivered first, in order. */
  rebase(position: RoomPosition, lastSeq: number): void;
  /** Delivers every held message in seq order, whatever is missing between them (history is off). */
  drain(): void;
}

export function createRoomStream(roomId: string, deliver: (message: SequencedMessage) => void, maxHeld: number): RoomStream {
  let position: RoomPosition | undefined;
  let knownLast = 0;
  const held = new Map<number, StreamEntry>();

  const advance = (message: StreamEntry) => {
    position = { epoch: message.epoch, seq: message.seq };
    if (!('skipped' in message)) deliver(message);
  };

  const flush = () => {
    for (let next = held.get(position!.seq + 1); next; next = held.get(position!.seq + 1)) {
      held.delete(next.seq);
      advance(next);
    }
  };

  const drain = () => {
    for (const seq of [...held.keys()].sort((a, b) => a - b)) {
      const message = held.get(seq)!;
      held.delete(seq);
      advance(message);
    }
  };

  const hold = (message: StreamEntry) => {
    if (held.size < maxHeld) {
      held.set(message.seq, message);
      return;
    }
    // Full: keep the lowest seqs, the ones delivery needs next. The dropped one is in the room's
    // history (nothing is fanned out before it is stored) and `knownLast` keeps the gap in view.
    const highest = Math.max(...held.keys());
    if (message.seq > highest) return;
    held.delete(highest);
    held.set(message.seq, message);
  };

  return {
    roomId,
    get position() {
      return position;
    },
    get knownLast() {
      return knownLast;
    },
    get heldCount() {
      return held.size;
    },
    start(next, lastSeq) {
      position = next;
      knownLast = Math.max(next.seq, lastSeq);
    },
    accept(message) {
      if (!position) throw new Error('RoomStream.accept before the position is known');
      if (message.epoch !== position.epoch) {
        drain();
        position = { epoch: message.epoch, seq: 0 };
        knownLast = 0;
      }
      if (message.seq <= position.seq || held.has(message.seq)) return false;
      knownLast = Math.max(knownLast, message.seq);
      if (message.seq === position.seq + 1) {
        advance(message);
        flush();
      } else {
        hold(message);
      }
      return true;
    },
    noteLast(seq) {
      knownLast = Math.max(knownLast, seq);
    },
    hasGap: () => position !== undefined && position.seq < knownLast,
    lowestHeld: () => (held.size === 0 ? undefined : Math.min(...held.keys())),
    skipTo(seq) {
      if (!position || seq <= position.seq) return undefined;
      const missed = { from: position.seq + 1, to: seq };
      // Held messages inside the range are not lost: they go out first, still in order.
      for (const key of [...held.keys()].filter((k) => k <= seq).sort((a, b) => a - b)) {
        advance(held.get(key)!);
        held.delete(key);
      }
      position = { epoch: position.epoch, seq };
      knownLast = Math.max(knownLast, seq);
      flush();
      return missed;
    },
    rebase(next, lastSeq) {
      drain();
      position = next;
      knownLast = Math.max(next.seq, lastSeq);
    },
    drain,
  };
}

/** A history reply's entry as the stream takes it: a message, or a seq skipped for this member. */
export function toStreamEntry(entry: MessageFrame | HistorySkipFrame): StreamEntry {
  if (entry.type === 'skip') return { skipped: true, roomId: entry.roomId, seq: entry.seq, epoch: entry.epoch };
  return toRoomMessage(entry) as SequencedMessage;
}

/** The application's view of a `message` frame: `from`, `seq` and `epoch` only when the frame has them. */
export function toRoomMessage(frame: MessageFrame): RoomMessage {
  const { roomId, from, data, sentAt, seq, epoch } = frame;
  const message: RoomMessage = { roomId, data, sentAt };
  if (from !== undefined) message.from = from;
  if (seq !== undefined) message.seq = seq;
  if (epoch !== undefined) message.epoch = epoch;
  return message;
}
