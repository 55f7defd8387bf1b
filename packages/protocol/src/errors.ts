import type { ErrorCode, FrameErrorCode } from './error-codes.ts';
import type { FrameId } from './frames.ts';

/**
 * Base class of every roomgate error with a wire {@link ErrorCode}. `message` is safe to show to
 * the caller; `cause` is for logs only. It lives here, not in `@roomgate/shared`, so that frame
 * errors thrown by this package are roomgate errors wherever they surface (an error frame, an
 * HTTP status), and so a browser bundle gets it without the server package.
 */
export class RoomgateError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * A frame that cannot be accepted or built. On the socket the connection stays open and gets an
 * error frame carrying `frameId` (the refused frame's `id`, when it could be read); on the Rooms
 * API it is a 400 (`ERR_MESSAGE_INVALID`) or 413 (`ERR_MESSAGE_TOO_LARGE`).
 */
export class FrameError extends RoomgateError {
  readonly frameId: FrameId | undefined;

  constructor(code: FrameErrorCode, message: string, frameId?: FrameId) {
    super(code, message);
    this.frameId = frameId;
  }
}
