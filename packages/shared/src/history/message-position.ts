/**
 * `{epoch, seq}`: where a message sits in its room's stream (docs/architecture.md, History and
 * recovery). A leaf module so that `errors.ts` can name it without importing the history store.
 */
export interface MessagePosition {
  /** The stream's identity: 12 random base64url characters, new when the room had no item left. */
  epoch: string;
  /** 1, 2, 3… within the epoch, gap-free: each seq was taken by exactly one stored message. */
  seq: number;
}
