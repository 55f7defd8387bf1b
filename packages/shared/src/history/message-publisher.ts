import { RoomgateError, StoreUnavailableError } from '../errors.ts';
import type { BroadcastOptions, BroadcastResult, Broadcaster } from '../fan-out.ts';
import { serializeFrame, type ServerFrame } from '../frames.ts';
import { systemClock, type Clock } from '../types.ts';
import { HISTORY_MAX_FRAME_BYTES } from './history-frames.ts';
import type { HistoryStore, MessagePosition } from './history-store.ts';

export interface RoomMessage {
  roomId: string;
  /** The publishing member's user id; absent on a server publish (the author is the backend). */
  from?: string | undefined;
  data: unknown;
  broadcast?: BroadcastOptions;
}

export interface PublishedMessage extends BroadcastResult {
  /** Present whenever history is on. */
  seq?: number;
  epoch?: string;
  /** Size of the serialized frame (UTF-8). */
  bytes: number;
}

export interface MessagePublisher {
  /**
   * Builds the `message` frame, stores it in history (allocating its seq), then fans it out.
   * Throws MessageFrameTooLargeError (nothing stored or sent), StoreUnavailableError (history or
   * the room listing failed: nothing was sent), or UndeliveredPublishError (stored, but the room
   * could not be listed: members recover it from history).
   */
  publish(message: RoomMessage): Promise<PublishedMessage>;
}

export interface MessagePublisherOptions {
  broadcaster: Broadcaster;
  /** Undefined when the stage runs with history off: frames then carry no seq/epoch. */
  history: HistoryStore | undefined;
  /** Largest serialized frame in bytes; with history on also at most HISTORY_MAX_FRAME_BYTES. */
  maxFrameBytes: number;
  clock?: Clock;
}

/** The frame, once wrapped for delivery, is over the limit (bytes are UTF-8). */
export class MessageFrameTooLargeError extends RoomgateError {
  readonly bytes: number;
  readonly limit: number;

  constructor(bytes: number, limit: number) {
    super('ERR_MESSAGE_TOO_LARGE', `the message frame is ${bytes} bytes, the limit is ${limit}`);
    this.bytes = bytes;
    this.limit = limit;
  }
}

/**
 * The message is in history (it has its seq) but the fan-out could not list the room. It counts as
 * published: members get it through gap-fill or recovery. A retried publish would add a duplicate.
 */
export class UndeliveredPublishError extends StoreUnavailableError {
  readonly position: MessagePosition;

  constructor(position: MessagePosition, cause: unknown) {
    super('message stored in history, but the room could not be listed for delivery', { cause });
    this.position = position;
  }
}

/**
 * The one publish path of both producers (the socket's `publish` frame and the Rooms API's
 * `POST /v1/rooms/{roomId}/messages`), so client and server publishes share one sequence. The
 * rule it keeps: nothing is delivered live that is not in history, so a member can miss a seq only
 * when it expired — never because a write failed after others saw the message.
 */
export function createMessagePublisher(options: MessagePublisherOptions): MessagePublisher {
  const { broadcaster, history } = options;
  const clock = options.clock ?? systemClock;
  const limit = history === undefined ? options.maxFrameBytes : Math.min(options.maxFrameBytes, HISTORY_MAX_FRAME_BYTES);

  const build = (message: RoomMessage, sentAt: number, position?: MessagePosition): string => {
    const frame: ServerFrame = {
      type: 'message',
      roomId: message.roomId,
      ...(position ?? {}),
      ...(message.from !== undefined ? { from: message.from } : {}),
      data: message.data,
      sentAt,
    };
    const payload = serializeFrame(frame);
    const bytes = Buffer.byteLength(payload, 'utf8');
    if (bytes > limit) throw new MessageFrameTooLargeError(bytes, limit);
    return payload;
  };

  return {
    async publish(message) {
      const sentAt = clock();
      if (history === undefined) {
        const payload = build(message, sentAt);
        const result = await broadcaster.broadcast(message.roomId, payload, message.broadcast);
        return { ...result, bytes: Buffer.byteLength(payload, 'utf8') };
      }
      const stored = await history.append(message.roomId, (position) => build(message, sentAt, position));
      const position = { seq: stored.seq, epoch: stored.epoch };
      let result: BroadcastResult;
      try {
        result = await broadcaster.broadcast(message.roomId, stored.frame, message.broadcast);
      } catch (error) {
        throw new UndeliveredPublishError(position, error);
      }
      return { ...result, ...position, bytes: Buffer.byteLength(stored.frame, 'utf8') };
    },
  };
}
