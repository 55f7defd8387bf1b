import { RoomgateError } from '../errors.ts';

/** The stage runs with HISTORY_TTL_SECONDS=0: no history, no recovery (`$default`: error frame; Rooms API: 409). */
export class HistoryDisabledError extends RoomgateError {
  constructor() {
    super('ERR_HISTORY_DISABLED', 'history is turned off on this stage');
  }
}
