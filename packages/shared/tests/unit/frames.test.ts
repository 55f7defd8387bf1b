import { describe, expect, it } from 'vitest';
import { FrameError, errorFrame, parseClientFrame, serializeFrame } from '../../src/frames.ts';

const parse = (raw: string | undefined, maxBytes = 64) => parseClientFrame(raw, { maxBytes });

describe('parseClientFrame', () => {
  it.each([
    ['{"action":"ping"}', { action: 'ping' }],
    ['{"action":"ping","id":"p1"}', { action: 'ping', id: 'p1' }],
    ['{"action":"publish","data":{"t":1},"id":3}', { action: 'publish', data: { t: 1 }, id: 3 }],
    ['{"action":"publish","data":null}', { action: 'publish', data: null }],
    ['{"action":"refresh","token":"a.b.c"}', { action: 'refresh', token: 'a.b.c' }],
    ['{"action":"ping","id":{"x":1}}', { action: 'ping' }],
  ])('accepts %s', (raw, frame) => {
    expect(parse(raw)).toEqual(frame);
  });

  it.each([
    [undefined, 'ERR_MESSAGE_INVALID'],
    ['', 'ERR_MESSAGE_INVALID'],
    ['{', 'ERR_MESSAGE_INVALID'],
    ['"ping"', 'ERR_MESSAGE_INVALID'],
    ['null', 'ERR_MESSAGE_INVALID'],
    ['[]', 'ERR_MESSAGE_INVALID'],
    ['{"action":1}', 'ERR_MESSAGE_INVALID'],
    ['{"action":"publish"}', 'ERR_MESSAGE_INVALID'],
    ['{"action":"refresh","token":""}', 'ERR_MESSAGE_INVALID'],
    ['{"action":"sendmessage"}', 'ERR_UNKNOWN_ACTION'],
    [`{"action":"publish","data":"${'é'.repeat(40)}"}`, 'ERR_MESSAGE_TOO_LARGE'],
  ])('refuses %j with %s', (raw, code) => {
    const error = (() => {
      try {
        parse(raw);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(FrameError);
    expect(error).toMatchObject({ code });
  });

  it('measures the limit in UTF-8 bytes, not characters', () => {
    const raw = `{"action":"publish","data":"${'é'.repeat(20)}"}`;
    expect(raw.length).toBeLessThan(64);
    expect(() => parse(raw)).toThrow(/bytes/);
  });

  it('keeps the id of a frame it refuses', () => {
    expect(() => parse('{"action":"nope","id":9}')).toThrow(expect.objectContaining({ frameId: 9 }));
  });
});

describe('server frames', () => {
  it('serialises error frames with and without id', () => {
    expect(serializeFrame(errorFrame('ERR_UNKNOWN_ACTION', 'no'))).toBe('{"type":"error","code":"ERR_UNKNOWN_ACTION","message":"no"}');
    expect(errorFrame('ERR_UNKNOWN_ACTION', 'no', 'x')).toEqual({ type: 'error', code: 'ERR_UNKNOWN_ACTION', message: 'no', id: 'x' });
  });
});
