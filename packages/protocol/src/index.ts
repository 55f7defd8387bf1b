export type { ErrorCode, FrameErrorCode, HttpErrorCode, HttpOnlyErrorCode } from './error-codes.ts';
export { FrameError, RoomgateError } from './errors.ts';
export { MAX_FRAME_ID_LENGTH, type ClientFrame, type FrameId, type MessageFrame, type PublishAckFrame, type ServerFrame } from './frames.ts';
export { API_GATEWAY_MAX_MESSAGE_BYTES, DEFAULT_MAX_MESSAGE_BYTES, MAX_FRAME_DEPTH } from './limits.ts';
export { SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from './subprotocols.ts';
export * from './ids.ts';
export { encodeClientFrame, parseClientFrame, peekFrameId, readFrameId } from './client-frame.ts';
export { encodeMessageFrame, errorFrame, parseServerFrame, serializeFrame, type EncodedMessage } from './server-frame.ts';
export { peekTopLevelId, textNestsDeeperThan, utf8ByteLength, valueHasPrototypeMember, valueNestsDeeperThan } from './json-text.ts';
export {
  EPOCH_PATTERN,
  HISTORY_DEFAULT_LIMIT,
  HISTORY_MAX_FRAME_BYTES,
  HISTORY_MAX_LIMIT,
  HISTORY_REPLY_RESERVE_BYTES,
  isHistoryReply,
  parseHistoryRequest,
  serializeHistoryReply,
  type HistoryReplyFrame,
  type HistoryRequestFrame,
  type HistorySkipFrame,
  type MissedRange,
} from './history.ts';
export { CAPABILITIES, DEFAULT_CAPABILITIES, type Capability } from './capabilities.ts';
export {
  MEMBERS_MAX_LISTED,
  isMembersReply,
  isPresenceFrame,
  parseMembersRequest,
  type MembersReplyFrame,
  type MembersRequestFrame,
  type PresenceFrame,
} from './presence.ts';
