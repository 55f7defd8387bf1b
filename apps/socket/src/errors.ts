import { RoomgateError } from '@roomgate/shared/errors';

/** The handshake offers the token subprotocol without `roomgate.v1`, so there is nothing safe to echo. */
export class HandshakeInvalidError extends RoomgateError {
  constructor(message: string) {
    super('ERR_VALIDATION', message);
  }
}
