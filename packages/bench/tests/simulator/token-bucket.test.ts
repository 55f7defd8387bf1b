import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../src/simulator/token-bucket.ts';

describe('TokenBucket', () => {
  const takeAll = (bucket: TokenBucket, attempts: number) => Array.from({ length: attempts }, () => bucket.take()).filter(Boolean).length;

  it('admits the burst at once, then refuses', () => {
    const bucket = new TokenBucket({ ratePerSecond: 10_000, burst: 5_000, now: () => 0 });
    expect(takeAll(bucket, 6_000)).toBe(5_000);
    expect(bucket.take()).toBe(false);
  });

  it('refills at ratePerSecond, never past the burst', () => {
    let t = 0;
    const bucket = new TokenBucket({ ratePerSecond: 10_000, burst: 5_000, now: () => t });
    takeAll(bucket, 5_000);
    t = 100; // 100 ms at 10,000/s
    expect(takeAll(bucket, 2_000)).toBe(1_000);
    t = 60_000; // a minute idle refills to the burst only
    expect(takeAll(bucket, 20_000)).toBe(5_000);
  });

  it('keeps fractional tokens between calls', () => {
    let t = 0;
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 1, now: () => t });
    expect(bucket.take()).toBe(true);
    t = 50; // half a token
    expect(bucket.take()).toBe(false);
    t = 100; // the other half: one whole token
    expect(bucket.take()).toBe(true);
  });

  it('sustains ratePerSecond over a long run', () => {
    let t = 0;
    const bucket = new TokenBucket({ ratePerSecond: 10_000, burst: 5_000, now: () => t });
    let admitted = 0;
    // 20,000 requests a second for 10 s, one each 50 µs
    for (let i = 0; i < 200_000; i += 1) {
      t = i * 0.05;
      if (bucket.take()) admitted += 1;
    }
    expect(admitted).toBeGreaterThanOrEqual(5_000 + 10_000 * 10 - 2);
    expect(admitted).toBeLessThanOrEqual(5_000 + 10_000 * 10);
  });

  it.each([
    [0, 5],
    [10, 0],
  ])('refuses rate %s / burst %s', (ratePerSecond, burst) => {
    expect(() => new TokenBucket({ ratePerSecond, burst })).toThrow(RangeError);
  });
});
