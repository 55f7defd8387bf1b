import type { ConnectionRecord } from './connection-item.ts';

/**
 * Liveness: a row stands for a live connection only while the connection shows life. API Gateway
 * closes a WebSocket connection that received no client message for 10 minutes ("Idle Connection
 * Timeout", https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html) and delivers
 * `$disconnect` only best-effort, so a row whose connection sent nothing for longer is a dead
 * connection's row. Every client frame (the client's ping included, every 5 minutes) moves the
 * row's `lastSeenAt` and, with it, its `expiresAt`, which every reader already compares (the
 * `byRoom` index projects it): fan-out skips and removes such rows, the listing and presence leave
 * them out. Keeping the deadline in `expiresAt` rather than a new projected attribute means the
 * index keeps its projection (CloudFormation cannot change a GSI's projection in place).
 */
export const API_GATEWAY_IDLE_TIMEOUT_SECONDS = 10 * 60;

/** The socket service writes `lastSeenAt` at most this often per connection (one UpdateItem a minute at most). */
export const TOUCH_INTERVAL_SECONDS = 60;

/**
 * How long after `lastSeenAt` a row still counts as live: the idle timeout, plus the touch
 * interval (the last frame may have come just before a skipped write), plus 30 s for the clocks of
 * API Gateway and the Lambdas.
 */
export const LIVENESS_WINDOW_SECONDS = API_GATEWAY_IDLE_TIMEOUT_SECONDS + TOUCH_INTERVAL_SECONDS + 30;

/** When a row seen at `seenAt` stops counting as live: never later than the TTL backstop `cap`. */
export function livenessDeadline(seenAt: number, cap: number): number {
  return Math.min(cap, seenAt + LIVENESS_WINDOW_SECONDS);
}

/** Whether a frame at `now` should write `lastSeenAt` (throttled to one write per TOUCH_INTERVAL_SECONDS). */
export function needsTouch(record: Pick<ConnectionRecord, 'connectedAt' | 'lastSeenAt'>, now: number): boolean {
  return now - (record.lastSeenAt ?? record.connectedAt) >= TOUCH_INTERVAL_SECONDS;
}
