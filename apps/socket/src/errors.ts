import { RoomgateError } from '@roomgate/shared/errors';

/** `$connect` found no token in `Sec-WebSocket-Protocol` nor in `?token=`. */
export class TokenMissingError extends RoomgateError {
  constructor(message = 'no token: offer the subprotocols "roomgate.v1" and "roomgate.token.<jwt>", or pass ?token=') {
    super('ERR_TOKEN_MISSING', message);
  }
}

/** The token is valid but for another room than the one asked for. */
export class RoomForbiddenError extends RoomgateError {
  constructor(message = 'token does not grant this room') {
    super('ERR_ROOM_FORBIDDEN', message);
  }
}

/** The token is valid but lacks the capability the action needs. */
export class CapabilityForbiddenError extends RoomgateError {
  constructor(message: string) {
    super('ERR_CAPABILITY_FORBIDDEN', message);
  }
}

/** The handshake offers the token subprotocol without `roomgate.v1`, so there is nothing safe to echo. */
export class HandshakeInvalidError extends RoomgateError {
  constructor(message: string) {
    super('ERR_VALIDATION', message);
  }
}
