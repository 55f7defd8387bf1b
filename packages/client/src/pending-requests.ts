import { RoomClientError } from './errors.ts';
import type { FrameId, ServerFrame } from '@roomgate/protocol/frames';
import type { Timers } from './types.ts';

/**
 * Frames the client sent with an `id` and still waits on. The server echoes the `id` in its
 * reply (ack, pong, refreshed, or an error frame), which settles the matching request.
 */
export interface PendingRequests {
  track(id: FrameId, what: string): Promise<ServerFrame>;
  /** Settles the request the frame answers; false if no request waits on its `id`. */
  settle(frame: ServerFrame & { id?: FrameId }): boolean;
  reject(id: FrameId, error: RoomClientError): void;
  rejectAll(error: RoomClientError): void;
}

interface Entry {
  resolve(frame: ServerFrame): void;
  reject(error: RoomClientError): void;
  timer: unknown;
}

export function createPendingRequests(timers: Timers, timeoutMs: number): PendingRequests {
  const entries = new Map<FrameId, Entry>();

  const take = (id: FrameId): Entry | undefined => {
    const entry = entries.get(id);
    if (!entry) return undefined;
    entries.delete(id);
    timers.clearTimeout(entry.timer);
    return entry;
  };

  return {
    track(id, what) {
      return new Promise<ServerFrame>((resolve, reject) => {
        const timer = timers.setTimeout(() => {
          // A timed-out publish may still have been delivered; the caller decides whether to resend.
          take(id)?.reject(new RoomClientError('ERR_REQUEST_TIMEOUT', `no reply to ${what} within ${timeoutMs} ms`));
        }, timeoutMs);
        entries.set(id, { resolve, reject, timer });
      });
    },
    settle(frame) {
      if (frame.id === undefined) return false;
      const entry = take(frame.id);
      if (!entry) return false;
      if (frame.type === 'error') entry.reject(new RoomClientError(frame.code, frame.message));
      else entry.resolve(frame);
      return true;
    },
    reject(id, error) {
      take(id)?.reject(error);
    },
    rejectAll(error) {
      for (const id of [...entries.keys()]) take(id)?.reject(error);
    },
  };
}
