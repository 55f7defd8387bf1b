import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameError, MAX_FRAME_DEPTH, parseClientFrame, serializeFrame } from '../../src/index.ts';

const MAX_BYTES = 32 * 1024;

function depthOf(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depthOf));
  if (typeof value === 'object' && value !== null) return 1 + Math.max(0, ...Object.values(value).map(depthOf));
  return 0;
}

// Values nested 0–150 levels deep (arrays and objects mixed), so both sides of the limit are hit.
const deepValue = fc
  .tuple(fc.array(fc.oneof(fc.constant(null), fc.string({ maxLength: 3 })), { maxLength: 150 }), fc.jsonValue({ maxDepth: 2 }))
  .map(([wrappers, inner]) => wrappers.reduceRight<unknown>((acc, w) => (w === null ? [acc, 1] : { [w]: acc }), inner));

describe('parseClientFrame under random and hostile input', () => {
  it('either accepts a frame whose envelope serialises, or refuses it with a frame error; never anything else', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.json({ maxDepth: 6 }),
          deepValue.map((data) => JSON.stringify({ action: 'publish', data })),
        ),
        (raw) => {
          try {
            const frame = parseClientFrame(raw, { maxBytes: MAX_BYTES });
            expect(depthOf(JSON.parse(raw))).toBeLessThanOrEqual(MAX_FRAME_DEPTH);
            if (frame.action === 'publish') expect(() => serializeFrame({ type: 'message', roomId: 'r', data: frame.data, sentAt: 0 })).not.toThrow();
          } catch (error) {
            expect(error).toBeInstanceOf(FrameError);
            expect(['ERR_MESSAGE_INVALID', 'ERR_MESSAGE_TOO_LARGE', 'ERR_UNKNOWN_ACTION']).toContain((error as FrameError).code);
          }
        },
      ),
      { numRuns: 2000, seed: 0x7007 },
    );
  });

  it.each([
    ['brackets inside a string', `{"action":"publish","data":"${'['.repeat(500)}"}`, 'publish'],
    ['an escaped quote before brackets inside a string', `{"action":"publish","data":"\\"${'{'.repeat(500)}"}`, 'publish'],
    ['an escaped backslash ending a string', `{"action":"publish","data":["\\\\",${'['.repeat(10)}1${']'.repeat(10)}]}`, 'publish'],
  ])('%s does not count as nesting', (_name, raw, action) => {
    expect(parseClientFrame(raw, { maxBytes: MAX_BYTES }).action).toBe(action);
  });

  it.each([
    ['arrays', (n: number) => `{"action":"publish","data":${'['.repeat(n)}${']'.repeat(n)}}`],
    ['objects', (n: number) => `{"action":"publish","data":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`],
  ])('nested %s: MAX_FRAME_DEPTH levels in total are accepted, one more is ERR_MESSAGE_INVALID', (_name, make) => {
    expect(() => parseClientFrame(make(MAX_FRAME_DEPTH - 1), { maxBytes: MAX_BYTES })).not.toThrow();
    expect(() => parseClientFrame(make(MAX_FRAME_DEPTH), { maxBytes: MAX_BYTES })).toThrow(expect.objectContaining({ code: 'ERR_MESSAGE_INVALID' }));
  });
});
