import { describe, expect, it } from 'vitest';
import { CachedValue } from '../../../src/runtime/cached-value.ts';

function harness(results: Array<number | Error>) {
  let now = 1000;
  let calls = 0;
  const staleErrors: unknown[] = [];
  const cache = new CachedValue(
    async () => {
      const next = results[calls++];
      if (next instanceof Error) throw next;
      return next!;
    },
    { maxAgeSeconds: 60, clock: () => now, onStaleError: (error) => staleErrors.push(error) },
  );
  return { cache, advance: (s: number) => (now += s), calls: () => calls, staleErrors };
}

describe('CachedValue', () => {
  it('loads once and serves the value until it is older than maxAge', async () => {
    const h = harness([1, 2]);
    expect(await h.cache.get()).toBe(1);
    h.advance(59);
    expect(await h.cache.get()).toBe(1);
    expect(h.calls()).toBe(1);
    h.advance(1);
    expect(await h.cache.get()).toBe(2);
  });

  it('does not cache a failed first load: the next call retries', async () => {
    const h = harness([new Error('down'), 7]);
    await expect(h.cache.get()).rejects.toThrow('down');
    expect(await h.cache.get()).toBe(7);
  });

  it('keeps serving the old value when a reload fails, and reports it', async () => {
    const h = harness([1, new Error('throttled'), 3]);
    await h.cache.get();
    h.advance(61);
    expect(await h.cache.get()).toBe(1);
    expect(h.staleErrors).toHaveLength(1);
    expect(await h.cache.get()).toBe(3);
  });

  it('shares one load between concurrent callers', async () => {
    const h = harness([5]);
    const values = await Promise.all([h.cache.get(), h.cache.get(), h.cache.get()]);
    expect(values).toEqual([5, 5, 5]);
    expect(h.calls()).toBe(1);
  });
});
