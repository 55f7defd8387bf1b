import { RoomgateError } from '@roomgate/shared/errors';

/** The Idempotency-Key was first used with a different body: 422, never replayed. */
export class IdempotencyKeyReusedError extends RoomgateError {
  constructor() {
    super('ERR_IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request body; use a new key');
  }
}

/** A request with the same Idempotency-Key is still being delivered: 409, retry after a short wait. */
export class IdempotencyInProgressError extends RoomgateError {
  constructor() {
    super('ERR_IDEMPOTENCY_IN_PROGRESS', 'a request with this Idempotency-Key is in progress; retry shortly');
  }
}

/** A listing cursor that is unknown, expired, or was handed out for another room or caller. */
export class ListingCursorError extends RoomgateError {
  constructor(options?: { cause?: unknown }) {
    super('ERR_VALIDATION', 'cursor is invalid or expired; list again from the start', options);
  }
}
