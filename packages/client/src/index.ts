export { createRoomClient } from './room-client.ts';
export { RoomClientError, isRoomClientError, type ClientErrorCode, type RoomClientErrorCode } from './errors.ts';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
// The wire protocol, re-exported from @roomgate/protocol (the one copy the server uses too).
export {
  SUBPROTOCOL,
  TOKEN_SUBPROTOCOL_PREFIX,
  type ClientFrame,
  type ServerFrame,
  type HistoryRequestFrame,
  type HistoryReplyFrame,
  type HistorySkipFrame,
  type MissedRange,
} from '@roomgate/protocol';
export { API_GATEWAY_MAX_MESSAGE_BYTES as MAX_MESSAGE_BYTES } from '@roomgate/protocol/limits';
export type { ErrorCode as ServerErrorCode } from '@roomgate/protocol/error-codes';
export type { RoomPosition } from './room-stream.ts';
export type {
  PresenceEvent,
  RoomMembers,
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
