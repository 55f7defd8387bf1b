/**
 * API Gateway's hard limit for one WebSocket message, sent or received: "Message payload size:
 * 128 KB" (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html; a message is
 * carried in WebSocket frames of at most 32 KB each). Bytes of UTF-8.
 */
export const API_GATEWAY_MAX_MESSAGE_BYTES = 128 * 1024;

/** The socket service's and the Rooms API's default `MAX_MESSAGE_BYTES` (bytes of UTF-8). */
export const DEFAULT_MAX_MESSAGE_BYTES = 32 * 1024;

/**
 * Deepest array/object nesting any frame may have, counting the frame object itself (so `data`
 * may nest one level less). JSON.parse copes with any depth, but JSON.stringify recurses: around
 * 5,000 levels (20 KB, well under the size limit) overflow its stack, and receivers' parsers
 * (Python's `json.loads` among them) share the trap. Every producer of frames checks it.
 */
export const MAX_FRAME_DEPTH = 64;
