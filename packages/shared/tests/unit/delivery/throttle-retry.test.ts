import { describe, expect, it } from 'vitest';
import { DeliveryFailedError } from '../../../src/errors.ts';
import { isThrottled, withThrottleRetry } from '../../../src/delivery/throttle-retry.ts';

/** What the SDK throws for a 429 of the management API. */
const limitExceeded = () => Object.assign(new Error('LimitExceededException'), { name: 'LimitExceededException', $metadata: { httpStatusCode: 429 } });

/** A management API that answers 429 `throttles` times per connection, then accepts. */
function throttling(throttles: number) {
  const seen = new Map<string, number>();
  const delivered: string[] = [];
  return {
    delivered,
    async post(connectionId: string) {
      const count = seen.get(connectionId) ?? 0;
      seen.set(connectionId, count + 1);
      if (count < throttles) throw new DeliveryFailedError(connectionId, { cause: limitExceeded(), httpStatusCode: 429 });
      delivered.push(connectionId);
    },
  };
}

describe('withThrottleRetry', () => {
  it('retries 429s with full-jitter exponential backoff, counting each one', async () => {
    const waits: number[] = [];
    const api = throttling(3);
    const retrying = withThrottleRetry(api, { baseDelayMs: 100, maxDelayMs: 250, sleep: async (ms) => void waits.push(ms), random: () => 0.999 });
    await retrying.post('c1', 'x');
    expect(api.delivered).toEqual(['c1']);
    // Ceilings 100, 200, then capped at 250; the delay is random below each ceiling.
    expect(waits).toEqual([99, 199, 249]);
    expect(retrying.counts).toEqual({ throttled: 3, gaveUp: 0 });
  });

  it('gives up past its budget: the post throws DeliveryFailedError (429) and is counted, not dropped', async () => {
    const retrying = withThrottleRetry(throttling(1_000), {
      baseDelayMs: 100,
      maxDelayMs: 100,
      budgetMs: 250,
      sleep: async () => undefined,
      random: () => 0.999,
    });
    const error = await retrying.post('c1', 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryFailedError);
    expect((error as DeliveryFailedError).httpStatusCode).toBe(429);
    // 99 + 99 fit in 250; the third wait would not.
    expect(retrying.counts).toEqual({ throttled: 3, gaveUp: 1 });
  });

  it('stops after maxAttempts even when every wait is 0', async () => {
    const retrying = withThrottleRetry(throttling(1_000), { maxAttempts: 5, sleep: async () => undefined, random: () => 0 });
    await expect(retrying.post('c1', 'x')).rejects.toBeInstanceOf(DeliveryFailedError);
    expect(retrying.counts).toEqual({ throttled: 5, gaveUp: 1 });
  });

  it('passes other failures through at once (410 and 5xx keep fan-out’s own rules)', async () => {
    let calls = 0;
    const gone = Object.assign(new Error('gone'), { name: 'GoneException', $metadata: { httpStatusCode: 410 } });
    const retrying = withThrottleRetry(
      {
        post: async () =>
          void (
            (calls += 1),
            (() => {
              throw gone;
            })()
          ),
      },
      { sleep: async () => undefined },
    );
    await expect(retrying.post('c1', 'x')).rejects.toBe(gone);
    expect(calls).toBe(1);
    expect(retrying.counts).toEqual({ throttled: 0, gaveUp: 0 });
  });

  it.each([
    ['DeliveryFailedError with status 429', new DeliveryFailedError('c', { httpStatusCode: 429 }), true],
    ['wrapped LimitExceededException', new DeliveryFailedError('c', { cause: Object.assign(new Error(), { name: 'LimitExceededException' }) }), true],
    ['bare TooManyRequestsException', Object.assign(new Error(), { name: 'TooManyRequestsException' }), true],
    ['bare ThrottlingException', Object.assign(new Error(), { name: 'ThrottlingException' }), true],
    ['500', new DeliveryFailedError('c', { httpStatusCode: 500 }), false],
    ['410', Object.assign(new Error(), { $metadata: { httpStatusCode: 410 } }), false],
  ])('isThrottled: %s → %s', (_name, error, expected) => {
    expect(isThrottled(error)).toBe(expected);
  });
});
