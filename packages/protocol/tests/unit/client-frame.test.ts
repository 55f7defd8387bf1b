import { describe, expect, it } from 'vitest';
import { FrameError, errorFrame, parseClientFrame, serializeFrame } from '../../src/index.ts';

const parse = (raw: unknown, maxBytes = 64) => parseClientFrame(raw, { maxBytes });

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

  // Refused before parsing, yet the id is read (a bounded scan), so the client's request fails at
  // once with the real code instead of timing out.
  it.each([
    ['too large, id last (as @roomgate/client sends)', `{"action":"publish","data":"${'x'.repeat(100)}","id":7}`, 'ERR_MESSAGE_TOO_LARGE', 7],
    ['too large, string id first', `{"id":"p-1","action":"publish","data":"${'x'.repeat(100)}"}`, 'ERR_MESSAGE_TOO_LARGE', 'p-1'],
    ['too deep', `{"action":"publish","data":${'['.repeat(70)}${']'.repeat(70)},"id":8}`, 'ERR_MESSAGE_INVALID', 8],
    ['too deep and never closed', `{"id":12,"action":"publish","data":${'['.repeat(70)}`, 'ERR_MESSAGE_INVALID', 12],
    ['not JSON', '{"action":"ping","id":3,}', 'ERR_MESSAGE_INVALID', 3],
    ['an escaped key', '{"action":"ping","\\u0069d":4,"x":}', 'ERR_MESSAGE_INVALID', 4],
    ['two ids: the last wins, as in JSON.parse', '{"id":1,"action":"ping","id":2,}', 'ERR_MESSAGE_INVALID', 2],
  ])('echoes the id of a frame refused before parsing: %s', (_name, raw, code, frameId) => {
    expect(() => parseClientFrame(raw, { maxBytes: code === 'ERR_MESSAGE_TOO_LARGE' ? 64 : 1000 })).toThrow(expect.objectContaining({ code, frameId }));
  });

  it.each([
    ['a nested id', `{"data":{"id":5},"action":"publish","x":${'['.repeat(70)}`],
    ['an id inside a string', `{"data":"\\"id\\":5","x":${'['.repeat(70)}`],
    ['an id that is an object', `{"id":{"a":1},"x":${'['.repeat(70)}`],
    ['an id over 64 characters', `{"id":"${'i'.repeat(65)}","x":${'['.repeat(70)}`],
    ['an array, not an object', `[{"id":5},${'['.repeat(70)}`],
  ])('echoes no id for %s', (_name, raw) => {
    expect(() => parseClientFrame(raw, { maxBytes: 1000 })).toThrow(expect.objectContaining({ code: 'ERR_MESSAGE_INVALID', frameId: undefined }));
  });

  it.each([
    ['a binary frame (Buffer-like)', new Uint8Array([123, 125])],
    ['an ArrayBuffer', new ArrayBuffer(2)],
    ['null', null],
    ['a number', 42],
    ['an object', { action: 'ping' }],
  ])('refuses %s as ERR_MESSAGE_INVALID, not a crash', (_name, raw) => {
    expect(() => parse(raw)).toThrow(expect.objectContaining({ code: 'ERR_MESSAGE_INVALID' }));
  });
});

describe('server frames', () => {
  it('serialises error frames with and without id', () => {
    expect(serializeFrame(errorFrame('ERR_UNKNOWN_ACTION', 'no'))).toBe('{"type":"error","code":"ERR_UNKNOWN_ACTION","message":"no"}');
    expect(errorFrame('ERR_UNKNOWN_ACTION', 'no', 'x')).toEqual({ type: 'error', code: 'ERR_UNKNOWN_ACTION', message: 'no', id: 'x' });
  });
});
