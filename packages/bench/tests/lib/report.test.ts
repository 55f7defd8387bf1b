import { describe, expect, it } from 'vitest';
import { asPrinted, targetAgainstCeiling } from '../../src/lib/report.ts';

describe('✓/✗ against what the table prints (2 decimals)', () => {
  it('a ratio printed as the target meets it', () => {
    expect(asPrinted(1.5011273912872687)).toBe(1.5);
    expect(asPrinted(1.5049) <= 1.5).toBe(true);
    expect(asPrinted(1.505) <= 1.5).toBe(false);
  });

  it('a target held against its ceiling compares the printed ratio with the printed capped target', () => {
    // 0.85 × 0.77 = 0.6545, printed 0.65: a ratio printed 0.65 meets it.
    expect(targetAgainstCeiling(0.6512, 0.85, 0.77)).toEqual({ target: '≥ 0.85 × ceiling 0.77 = 0.65', met: true });
    expect(targetAgainstCeiling(0.6449, 0.85, 0.77).met).toBe(false);
    // A ceiling that leaves room for the plain target keeps it.
    expect(targetAgainstCeiling(0.8499, 0.5, 0.9)).toEqual({ target: '≥ 0.5', met: true });
  });
});
