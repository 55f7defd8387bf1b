import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF } from '../../src/index.ts';

describe('backoffDelay', () => {
  const options = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.5 };

  it.each([
    [0, 0, 500],
    [1, 0, 1_000],
    [5, 0, 16_000],
    [6, 0, 30_000],
    [50, 0, 30_000],
    [0, 1, 250],
    [6, 1, 15_000],
    [3, 0.5, 3_000],
  ])('attempt %i with random %f waits %i ms', (attempt, random, expected) => {
    expect(backoffDelay(attempt, options, () => random)).toBe(expected);
  });

  it('clamps jitter to 0..1', () => {
    expect(backoffDelay(0, { ...options, jitter: 3 }, () => 1)).toBe(0);
    expect(backoffDelay(0, { ...options, jitter: -1 }, () => 1)).toBe(500);
  });

  it('has defaults that start fast and cap at 30 s', () => {
    expect(DEFAULT_BACKOFF).toEqual({ initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.5 });
  });
});
