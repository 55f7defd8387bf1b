import { RateLimitedError } from '@roomgate/shared/errors';
import type { ConnectionRecord, ConnectionStore, RateBucket } from '@roomgate/shared/store';

export interface RateLimitOptions {
  store: Pick<ConnectionStore, 'get' | 'swapRateBucket'>;
  /** PUBLISH_RATE_PER_SECOND: tokens added per second; 0 = no limit. */
  ratePerSecond: number;
  /** PUBLISH_BURST: the bucket's size, i.e. publishes allowed at once after a quiet spell. */
  burst: number;
  /** Epoch milliseconds; injected for tests. */
  now?: () => number;
  /**
   * Conditional writes lost to concurrent frames before giving up (the frame is then refused).
   * Default `burst + 2`: every lost write is another frame of this connection taking a token, so
   * within that many the bucket is either won or empty — a frame under the limit is never refused
   * for losing a race (blind test, issue 15: 8 frames at once with a burst of 20 lost 3).
   */
  maxAttempts?: number;
}

/** Per-connection publish limit. */
export interface PublishRateLimit {
  /**
   * Spends one token of the connection's bucket, kept on its row so every Lambda container serving
   * the connection shares it: one conditional UpdateItem per publish (a lost race reads the row
   * again). Throws RateLimitedError when the bucket is empty, StoreUnavailableError.
   */
  take(record: ConnectionRecord): Promise<void>;
}

/** The bucket after `elapsedMs`, capped at `burst`; a new connection starts full. */
export function refill(bucket: RateBucket | undefined, nowMs: number, ratePerSecond: number, burst: number): RateBucket {
  if (bucket === undefined) return { tokens: burst, at: nowMs };
  const elapsed = Math.max(0, nowMs - bucket.at);
  return { tokens: Math.min(burst, bucket.tokens + (elapsed * ratePerSecond) / 1000), at: nowMs };
}

export function createPublishRateLimit(options: RateLimitOptions): PublishRateLimit {
  const { store, ratePerSecond, burst } = options;
  const now = options.now ?? Date.now;
  const maxAttempts = options.maxAttempts ?? burst + 2;
  return {
    async take(record) {
      if (ratePerSecond === 0) return;
      let current: ConnectionRecord | undefined = record;
      const exceeded = () => new RateLimitedError(`publish rate limit exceeded (${ratePerSecond}/s, burst ${burst}); slow down`);
      for (let attempt = 0; attempt < maxAttempts && current !== undefined; attempt += 1) {
        const filled = refill(current.rateBucket, now(), ratePerSecond, burst);
        if (filled.tokens < 1) throw exceeded();
        // Rounded so the condition on the next swap compares the number DynamoDB stored.
        const next = { tokens: Math.round((filled.tokens - 1) * 1000) / 1000, at: filled.at };
        if (await store.swapRateBucket(current.connectionId, current.rateBucket, next)) return;
        current = await store.get(record.connectionId);
      }
      // More frames of one connection in flight at once than its bucket holds: over the limit.
      throw exceeded();
    },
  };
}
