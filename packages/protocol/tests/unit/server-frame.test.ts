import { describe, expect, it } from 'vitest';
import { API_GATEWAY_MAX_MESSAGE_BYTES, FrameError, MAX_FRAME_DEPTH, encodeClientFrame, encodeMessageFrame, parseServerFrame } from '../../src/index.ts';

/** `levels` nested arrays built without recursion (JSON.parse of a deep text is iterative). */
const nestedArrays = (levels: number): unknown => JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`);
const message = (data: unknown) => ({ type: 'message' as const, roomId: 'r', data, sentAt: 1 });

describe('encodeMessageFrame: the frame rules on every producer', () => {
  it('serialises the envelope and measures it in UTF-8 bytes', () => {
    expect(encodeMessageFrame(message({ t: 'é' }), { maxBytes: 1024 })).toEqual({
      payload: '{"type":"message","roomId":"r","data":{"t":"é"},"sentAt":1}',
      bytes: 60,
    });
  });

  it(`accepts data nested ${MAX_FRAME_DEPTH - 1} levels (the envelope is the ${MAX_FRAME_DEPTH}th) and refuses one more`, () => {
    expect(() => encodeMessageFrame(message(nestedArrays(MAX_FRAME_DEPTH - 1)), { maxBytes: 1024 })).not.toThrow();
    expect(() => encodeMessageFrame(message(nestedArrays(MAX_FRAME_DEPTH)), { maxBytes: 1024, frameId: 4 })).toThrow(
      expect.objectContaining({ code: 'ERR_MESSAGE_INVALID', frameId: 4 }),
    );
  });

  // 16,000 levels serialise to a 32 KB frame that overflows JSON.parse/stringify on receivers;
  // 18,000 overflowed JSON.stringify on the server itself (a 500).
  it.each([16_000, 18_000, 100_000])('refuses data nested %i levels with ERR_MESSAGE_INVALID', (levels) => {
    expect(() => encodeMessageFrame(message(nestedArrays(levels)), { maxBytes: API_GATEWAY_MAX_MESSAGE_BYTES })).toThrow(
      expect.objectContaining({ code: 'ERR_MESSAGE_INVALID' }),
    );
  });

  // A client publish used to relay what the Rooms API refuses (blind test, issue 11): one rule now.
  it.each([
    ['a __proto__ member', '{"a":[{"__proto__":{"admin":true}}]}'],
    ['constructor.prototype', '{"constructor":{"prototype":{"admin":true}}}'],
  ])('refuses data with %s (prototype pollution) and keeps the id', (_name, json) => {
    expect(() => encodeMessageFrame(message(JSON.parse(json)), { maxBytes: 1024, frameId: 'p' })).toThrow(
      expect.objectContaining({ code: 'ERR_MESSAGE_INVALID', frameId: 'p', message: expect.stringContaining('prototype pollution') }),
    );
  });

  it('accepts the harmless look-alikes: a "constructor" string, a "prototype" key elsewhere', () => {
    expect(() => encodeMessageFrame(message({ constructor: 'x', prototype: 1, proto: { a: 1 } }), { maxBytes: 1024 })).not.toThrow();
  });

  it('refuses data that cannot be serialised (a cycle, a BigInt) as the caller’s fault', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    for (const data of [cycle, { n: 1n }]) {
      expect(() => encodeMessageFrame(message(data), { maxBytes: 1024 })).toThrow(FrameError);
    }
  });

  it('counts the envelope against the limit, and never allows more than API Gateway does', () => {
    const data = 'x'.repeat(1000);
    const { bytes } = encodeMessageFrame(message(data), { maxBytes: 2000 });
    expect(bytes).toBeGreaterThan(1000);
    expect(() => encodeMessageFrame(message(data), { maxBytes: 1000 })).toThrow(
      expect.objectContaining({ code: 'ERR_MESSAGE_TOO_LARGE', message: `the message frame is ${bytes} bytes, the limit is 1000` }),
    );
    expect(() => encodeMessageFrame(message('x'.repeat(API_GATEWAY_MAX_MESSAGE_BYTES)), { maxBytes: 10 * API_GATEWAY_MAX_MESSAGE_BYTES })).toThrow(
      expect.objectContaining({ code: 'ERR_MESSAGE_TOO_LARGE' }),
    );
  });
});

describe('encodeClientFrame', () => {
  it('serialises a frame the server accepts', () => {
    expect(encodeClientFrame({ action: 'publish', data: [1], id: 2 })).toBe('{"action":"publish","data":[1],"id":2}');
  });

  it.each([
    ['too deep', { action: 'publish' as const, data: nestedArrays(MAX_FRAME_DEPTH), id: 1 }, 'ERR_MESSAGE_INVALID'],
    ['16,000 levels', { action: 'publish' as const, data: nestedArrays(16_000), id: 1 }, 'ERR_MESSAGE_INVALID'],
    ['over 128 KB', { action: 'publish' as const, data: 'x'.repeat(API_GATEWAY_MAX_MESSAGE_BYTES), id: 1 }, 'ERR_MESSAGE_TOO_LARGE'],
    ['over the given limit', { action: 'refresh' as const, token: 't'.repeat(100), id: 1 }, 'ERR_MESSAGE_TOO_LARGE'],
  ])('refuses a frame %s before it is sent', (_name, frame, code) => {
    expect(() => encodeClientFrame(frame, { maxBytes: 100 })).toThrow(expect.objectContaining({ code, frameId: 1 }));
  });
});

describe('parseServerFrame', () => {
  it.each([
    ['{"type":"pong","id":1}', { type: 'pong', id: 1 }],
    [new TextEncoder().encode('{"type":"pong"}').buffer, { type: 'pong' }],
  ])('reads %j', (raw, frame) => {
    expect(parseServerFrame(raw)).toEqual(frame);
  });

  it.each(['nope', '{"type":"other"}', 'null', '42'])('ignores %j', (raw) => {
    expect(parseServerFrame(raw)).toBeUndefined();
  });
});
