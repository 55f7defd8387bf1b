export interface BackoffOptions {
  /** Delay before the first retry. */
  initialMs: number;
  /** Ceiling for any delay. */
  maxMs: number;
  /** Growth per consecutive failure. */
  factor: number;
  /** 0..1: the share of each delay that is randomised (0 = none, 1 = "full jitter"). */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.5 };

/**
 * Delay before retry number `attempt` (0-based count of consecutive failures). Jitter only ever
 * shortens the capped delay, so after an outage the clients of a room spread their reconnects
 * over the window instead of arriving at the socket service in one burst.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const capped = Math.min(options.maxMs, options.initialMs * options.factor ** attempt);
  const jitter = Math.min(1, Math.max(0, options.jitter));
  return Math.round(capped * (1 - jitter * random()));
}
