export { createRoomClient } from './room-client.ts';
export { RoomClientError, isRoomClientError, type ClientErrorCode, type RoomClientErrorCode } from './errors.ts';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
export {
  SUBPROTOCOL,
  TOKEN_SUBPROTOCOL_PREFIX,
  MAX_MESSAGE_BYTES,
  type ClientFrame,
  type ServerFrame,
  type ServerErrorCode,
  type HistoryRequestFrame,
  type HistoryReplyFrame,
  type MissedRange,
  type HistoryErrorCode,
} from './protocol.ts';
export type { RoomPosition } from './room-stream.ts';
export type {
  PublishAck,
  RecoveryEvent,
  RoomClient,
  RoomClientEvents,
  RoomClientOptions,
  RoomClientState,
  RoomMessage,
  StateChange,
  Timers,
  TokenGrant,
  WebSocketConstructor,
  WebSocketLike,
} from './types.ts';
