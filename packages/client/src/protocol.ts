/**
 * The socket service's wire protocol, as the client sees it. Mirrors `@roomgate/shared/frames`
 * (a type test keeps the two in step) instead of importing it, so browser bundles never reach for
 * the server package and its AWS SDK dependencies.
 */
export type FrameId = string | number;

export type ClientFrame =
  | { action: 'publish'; data: unknown; id?: FrameId }
  | { action: 'ping'; id?: FrameId }
  | { action: 'refresh'; token: string; id?: FrameId };

/**
 * Codes the socket service puts in error frames (`@roomgate/shared/errors`). A newer server may
 * send a code not listed here; it is passed through unchanged.
 */
export type ServerErrorCode =
  | 'ERR_TOKEN_EXPIRED'
  | 'ERR_TOKEN_NOT_YET_VALID'
  | 'ERR_TOKEN_INVALID'
  | 'ERR_TOKEN_MISSING'
  | 'ERR_ROOM_FORBIDDEN'
  | 'ERR_CAPABILITY_FORBIDDEN'
  | 'ERR_UNAUTHENTICATED'
  | 'ERR_KEY_UNAVAILABLE'
  | 'ERR_KEY_NOT_FOUND'
  | 'ERR_KEY_MALFORMED'
  | 'ERR_CONFIG_INVALID'
  | 'ERR_STORE_UNAVAILABLE'
  | 'ERR_CONNECTION_GONE'
  | 'ERR_CONNECTION_EXISTS'
  | 'ERR_DELIVERY_FAILED'
  | 'ERR_VALIDATION'
  | 'ERR_MESSAGE_INVALID'
  | 'ERR_MESSAGE_TOO_LARGE'
  | 'ERR_UNKNOWN_ACTION'
  | 'ERR_NOT_FOUND'
  | 'ERR_IDEMPOTENCY_KEY_REUSED'
  | 'ERR_IDEMPOTENCY_IN_PROGRESS'
  /** A backend removed this user from the room (Rooms API); the client stops, it does not reconnect. */
  | 'ERR_KICKED'
  | 'ERR_INTERNAL';

export type ServerFrame =
  | { type: 'message'; roomId: string; from?: string; data: unknown; sentAt: number }
  | { type: 'ack'; action: 'publish'; delivered: number; failed: number; stale: number; id?: FrameId }
  | { type: 'pong'; id?: FrameId }
  | { type: 'refreshed'; tokenExpiresAt: number; id?: FrameId }
  | { type: 'error'; code: ServerErrorCode; message: string; id?: FrameId };

/** Offered first: the server (and serverless-offline, which echoes the first entry) picks it. */
export const SUBPROTOCOL = 'roomgate.v1';
export const TOKEN_SUBPROTOCOL_PREFIX = 'roomgate.token.';

/** API Gateway refuses WebSocket messages over 128 KB. */
export const MAX_MESSAGE_BYTES = 128 * 1024;

/** Reads one server message; `undefined` for anything that is not a known frame. */
export function parseServerFrame(raw: unknown): ServerFrame | undefined {
  const text = typeof raw === 'string' ? raw : raw instanceof ArrayBuffer ? new TextDecoder().decode(raw) : String(raw);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const type = (value as { type?: unknown }).type;
  return type === 'message' || type === 'ack' || type === 'pong' || type === 'refreshed' || type === 'error'
    ? (value as ServerFrame)
    : undefined;
}
