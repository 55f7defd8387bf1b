import { describe, expect, it } from 'vitest';
import { isNotable, lineSplitter, LineTail, prefixer } from '../../src/dev/log-lines.ts';

describe('log lines', () => {
  it('splits chunks into lines, keeping a partial line until it completes', () => {
    const lines: string[] = [];
    const split = lineSplitter((line) => lines.push(line));
    split.push('one\ntw');
    split.push(Buffer.from('o\r\nthree'));
    expect(lines).toEqual(['one', 'two']);
    split.flush();
    expect(lines).toEqual(['one', 'two', 'three']);
  });

  it('keeps only the last lines', () => {
    const tail = new LineTail(2);
    ['a', 'b', 'c'].forEach((l) => tail.add(l));
    expect(tail.last()).toEqual(['b', 'c']);
  });

  it.each([
    ['{"level":"warn","msg":"connect refused"}', true],
    ['{"level":"error","msg":"x"}', true],
    ['{"level":"info","msg":"connected"}', false],
    ['{"level":50,"msg":"pino error"}', true],
    ['{"level":"WARN","message":"connect refused","service":"roomgate-socket"}', true],
    ['{"level":"CRITICAL","message":"socket configuration is invalid"}', true],
    ['{"level":"INFO","message":"connected"}', false],
    ['{"_aws":{"Timestamp":1,"CloudWatchMetrics":[]},"ConnectAccepted":1}', false],
    ['{"level":30,"msg":"incoming request"}', false],
    ['✖ Unhandled exception in handler connect', true],
    ['Error: listen EADDRINUSE', true],
    ['Offline [websocket] listening on ws://127.0.0.1:4200', false],
    ['(λ: api) RequestId: 1  Duration: 3 ms', false],
    ['', false],
    ['(node:123) Warning: something odd', true],
    ['(node:123) [FSTDEP022] FastifyWarning: The router options for maxParamLength property access is deprecated.', false],
    ['(Use `node --trace-warnings ...` to show where the warning was created)', false],
  ])('quiet mode shows %j: %s', (line, shown) => {
    expect(isNotable(line)).toBe(shown);
  });

  it('pads prefixes so the bars line up', () => {
    const prefix = prefixer(['dev', 'token-api']);
    expect(prefix('dev', 'x')).toBe('dev       │ x');
    expect(prefix('token-api', 'y')).toBe('token-api │ y');
  });
});
