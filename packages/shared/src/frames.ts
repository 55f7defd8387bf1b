/**
 * The client ↔ socket-service frames now live in `@roomgate/protocol`; this module re-exports
 * them for existing imports.
 */
export { FrameError } from '@roomgate/protocol/errors';
export type { ClientFrame, FrameId, MessageFrame, ServerFrame } from '@roomgate/protocol/frames';
export { API_GATEWAY_MAX_MESSAGE_BYTES, MAX_FRAME_DEPTH } from '@roomgate/protocol/limits';
export { encodeClientFrame, parseClientFrame, peekFrameId, readFrameId } from '@roomgate/protocol/client-frame';
export { encodeMessageFrame, errorFrame, serializeFrame, type EncodedMessage } from '@roomgate/protocol/server-frame';
