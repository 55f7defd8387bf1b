import type { RoomPattern } from '@roomgate/shared/room-pattern';

/** Who asked for a token, and which rooms they may issue tokens for. */
export interface Caller {
  kind: 'iam' | 'api-key';
  /** Normalised principal ARN, or the API key's id. Safe to log. */
  id: string;
  rooms: readonly RoomPattern[];
}
