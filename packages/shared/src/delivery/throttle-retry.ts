import { setTimeout as delay } from 'node:timers/promises';
import { DeliveryFailedError } from '../errors.ts';
import { isThrottle } from '../runtime/metrics.ts';
import type { ManagementApi } from './management-api.ts';

/**
 * How a shard waits out throttling. API Gateway answers PostToConnection with 429
 * (`LimitExceededException`, or `ThrottlingException`/`TooManyRequestsException`) when the
 * account's request quota (10,000 requests/s, burst 5,000, shared by every API of the account and
 * region) is spent, or when one client's outbound buffer is full. Both pass: the first in well under
 * a second, the second when the client reads. Each wait is "full jitter" (random in
 * [0, min(maxDelayMs, baseDelayMs · 2^attempt)], AWS Architecture Blog, "Exponential Backoff And
 * Jitter"), so shards throttled together do not retry in lock-step.
 */
export interface ThrottleRetryOptions {
  /** First backoff ceiling in ms (default 50). */
  baseDelayMs?: number;
  /** Largest backoff ceiling in ms (default 2,000). */
  maxDelayMs?: number;
  /** Total time one post may spend waiting on throttling, in ms (default 20,000); past it the post gives up. */
  budgetMs?: number;
  /** Most attempts per post (default 30), so a `random` stuck near 0 cannot retry forever. */
  maxAttempts?: number;
  /** Injected for tests: resolves after `ms` milliseconds. */
  sleep?: (ms: number) => Promise<void>;
  /** Injected for tests: uniform in [0, 1). */
  random?: () => number;
}

/** What the retrying client saw; read after the posts have settled. */
export interface ThrottleCounts {
  /** Throttled answers absorbed (each one retried, or the last one before a give-up). */
  throttled: number;
  /** Posts still throttled when their budget ran out: thrown as DeliveryFailedError, so fan-out counts them as failed. */
  gaveUp: number;
}

export interface ThrottleRetryingManagementApi extends Pick<ManagementApi, 'post'> {
  readonly counts: ThrottleCounts;
}

/**
 * True for API Gateway's throttling answers (HTTP 429 or one of its throttling exception names), wrapped or not:
 * the metrics' `isThrottle` (which follows `cause`), plus a DeliveryFailedError that carries only the status.
 */
export function isThrottled(error: unknown): boolean {
  return (error instanceof DeliveryFailedError && error.httpStatusCode === 429) || isThrottle(error);
}

export const realSleep = (ms: number): Promise<void> => delay(ms);

/**
 * Wraps `management.post` so throttling is retried with backoff and jitter within a time budget.
 * Other errors (410 Gone, 5xx) pass through at once: fan-out's 410 and failure rules apply as
 * before. A post still throttled after its budget throws a DeliveryFailedError (status 429) and is
 * counted in `counts.gaveUp`: never dropped silently.
 */
export function withThrottleRetry(management: Pick<ManagementApi, 'post'>, options: ThrottleRetryOptions = {}): ThrottleRetryingManagementApi {
  const base = options.baseDelayMs ?? 50;
  const max = options.maxDelayMs ?? 2_000;
  const budget = options.budgetMs ?? 20_000;
  const maxAttempts = options.maxAttempts ?? 30;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const counts: ThrottleCounts = { throttled: 0, gaveUp: 0 };

  return {
    counts,
    async post(connectionId, data) {
      let waited = 0;
      for (let attempt = 0; ; attempt += 1) {
        try {
          await management.post(connectionId, data);
          return;
        } catch (error) {
          if (!isThrottled(error)) throw error;
          counts.throttled += 1;
          const delay = Math.floor(random() * Math.min(max, base * 2 ** attempt));
          if (waited + delay > budget || attempt + 1 >= maxAttempts) {
            counts.gaveUp += 1;
            throw error instanceof DeliveryFailedError ? error : new DeliveryFailedError(connectionId, { cause: error, httpStatusCode: 429 });
          }
          waited += delay;
          await sleep(delay);
        }
      }
    },
  };
}
