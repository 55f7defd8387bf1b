import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareKeys, inKeyRange, planShards, type KeyRange } from '../../../src/delivery/key-range.ts';

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const byKey = (a: string, b: string) => compareKeys(a, b);
const owners = (key: string, ranges: KeyRange[]) => ranges.flatMap((range, index) => (inKeyRange(key, range) ? [index] : []));

/** A room's keys in index order, its first page, and the plan made from that page alone. */
function planFor(keys: string[], pageSize: number, shardSize: number, maxShards: number) {
  const sorted = [...new Set(keys)].sort(byKey);
  const plan = planShards({ firstPageKeys: sorted.slice(0, pageSize), shardSize, maxShards });
  return { sorted, plan };
}

describe('planShards: disjoint ranges that cover every key, whatever the alphabet', () => {
  it('puts each key of any alphabet (ASCII, UTF-8 beyond the BMP, NUL) in exactly one range', () => {
    const alphabets = fc.constantFrom(BASE64URL, '01', 'abc=+/', 'é€😀a', '\u0000\u0001z', 'ZYX');
    fc.assert(
      fc.property(
        alphabets.chain((alphabet) =>
          fc.array(fc.string({ unit: fc.constantFrom(...[...alphabet]), minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 300 }),
        ),
        fc.array(fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }), { maxLength: 50 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 64 }),
        (room, strangers, pageSize, shardSize, maxShards) => {
          const { plan } = planFor(room, pageSize, shardSize, maxShards);
          expect(plan.ranges.length).toBeLessThanOrEqual(Math.max(2, maxShards));
          // Keys the first page never showed (other alphabets, surrogates) still belong to one range.
          for (const key of [...room, ...strangers]) expect(owners(key, plan.ranges)).toHaveLength(1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the first page to shard 0 and everything after it to the others', () => {
    const keys = Array.from({ length: 500 }, (_, i) => `k${String(i).padStart(4, '0')}`);
    const { sorted, plan } = planFor(keys, 50, 100, 10);
    for (const key of sorted.slice(0, 50)) expect(owners(key, plan.ranges)).toEqual([0]);
    for (const key of sorted.slice(50)) expect(owners(key, plan.ranges)[0]).toBeGreaterThan(0);
  });

  it('orders keys by UTF-8 bytes as DynamoDB does, not by UTF-16 code units', () => {
    // UTF-16 puts U+FF61 after U+1F600 (0xFF61 > the surrogate 0xD83D); UTF-8 bytes put it before (EF BD A1 < F0 9F 98 80).
    expect(compareKeys('\uFF61', '😀')).toBeLessThan(0);
    expect('\uFF61' < '😀').toBe(false);
  });

  it('balances random API Gateway-like ids: a 20,000-member room seen through a 1,000-member page', () => {
    // mulberry32: a seeded generator, so the sizes below are the same on every run.
    let seed = 7;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    };
    const id = () => Array.from({ length: 16 }, () => BASE64URL[Math.floor(random() * 64)]).join('');
    const keys = Array.from({ length: 20_000 }, id);
    const { sorted, plan } = planFor(keys, 1_000, 2_000, 50);
    expect(plan.estimatedMembers).toBeGreaterThan(10_000);
    expect(plan.estimatedMembers).toBeLessThan(40_000);
    const sizes = plan.ranges.map((range) => sorted.filter((key) => inKeyRange(key, range)).length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(sorted.length);
    // The gaps in the base64url alphabet's byte span skew it, within a factor of ~3 of the target.
    expect(Math.max(...sizes.slice(1))).toBeLessThan(6_000);
    expect(plan.ranges.length).toBeGreaterThan(5);
  });

  it('cuts a room into two ranges when the first page gives nothing to spread over', () => {
    expect(planShards({ firstPageKeys: ['é'], shardSize: 10, maxShards: 10 }).ranges).toEqual([{ through: 'é' }, { after: 'é' }]);
    expect(planShards({ firstPageKeys: ['a', 'b'], shardSize: 10, maxShards: 1 }).ranges).toEqual([{ through: 'b' }, { after: 'b' }]);
  });
});
