import { HistoryDisabledError } from '@roomgate/shared/errors';
import type { HistoryStore } from '@roomgate/shared/history';

/** One stored message as the Rooms API shows it: the frame's fields, without its envelope. */
export interface RoomMessageView {
  seq: number;
  epoch: string;
  data: unknown;
  from?: string;
  /** Epoch seconds. */
  sentAt: number;
}

export interface MessagesPage {
  roomId: string;
  epoch: string | null;
  lastSeq: number;
  messages: RoomMessageView[];
  /** Present when more messages follow: ask again with `since` = this. */
  nextSince?: number;
  recovered: boolean;
  missed?: { from: number; to: number };
}

export interface MessageReader {
  /**
   * Without `since`: everything still retained, from the oldest retained item, `recovered: true`
   * (a backend asking for "all retained" has lost nothing it asked for; `epoch` is then ignored).
   * With `since` (and `epoch`): the client's recovery rules. Every message is returned in full,
   * also those a publish excluded a user from (`excludeUserId` applies to members' sockets only).
   * Throws HistoryDisabledError (history off on the stage) or StoreUnavailableError.
   */
  read(request: { roomId: string; since?: number | undefined; limit: number; epoch?: string | undefined }): Promise<MessagesPage>;
}

/**
 * Frames per page stay under 4 MiB, well inside Lambda's 6 MB response payload limit (500
 * messages of up to ~127 KB each would not be).
 */
export const MESSAGES_PAGE_MAX_BYTES = 4 * 1024 * 1024;

/** `GET /v1/rooms/{roomId}/messages`: a backend's catch-up read, with the client's recovery rules. */
export function createMessageReader(options: { history: HistoryStore | undefined }): MessageReader {
  return {
    async read({ roomId, since, limit, epoch }) {
      if (options.history === undefined) throw new HistoryDisabledError();
      const all = since === undefined;
      const page = await options.history.read(
        roomId,
        all ? { since: 0, limit, maxBytes: MESSAGES_PAGE_MAX_BYTES } : { since, epoch, limit, maxBytes: MESSAGES_PAGE_MAX_BYTES },
      );
      const messages = page.messages.map((stored): RoomMessageView => {
        const frame = JSON.parse(stored.frame) as { from?: string; data: unknown; sentAt: number };
        return { seq: stored.seq, epoch: stored.epoch, data: frame.data, ...(frame.from === undefined ? {} : { from: frame.from }), sentAt: frame.sentAt };
      });
      const last = messages.at(-1);
      return {
        roomId,
        epoch: page.epoch,
        lastSeq: page.lastSeq,
        messages,
        ...(page.more && last !== undefined ? { nextSince: last.seq } : {}),
        recovered: all || page.recovered,
        ...(all || page.missed === undefined ? {} : { missed: page.missed }),
      };
    },
  };
}
