import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../../src/errors.ts';
import { createJsonLogger, tokenFingerprint } from '../../../src/runtime/logger.ts';

function capture(level?: 'info' | 'warn' | 'error') {
  const lines: Record<string, unknown>[] = [];
  const logger = createJsonLogger({ base: { service: 's' }, write: (l) => lines.push(JSON.parse(l)), now: () => 0, ...(level ? { level } : {}) });
  return { logger, lines };
}

describe('createJsonLogger', () => {
  it('writes one JSON object per line with base and child fields', () => {
    const { logger, lines } = capture();
    logger.child({ connectionId: 'c1' }).info('connected', { roomId: 'r' });
    expect(lines).toEqual([{ level: 'info', time: '1970-01-01T00:00:00.000Z', msg: 'connected', service: 's', connectionId: 'c1', roomId: 'r' }]);
  });

  it('drops lines below the level', () => {
    const { logger, lines } = capture('warn');
    logger.info('quiet');
    logger.warn('loud');
    expect(lines.map((l) => l.msg)).toEqual(['loud']);
  });

  it('flattens errors to name, code, message and cause, without a stack', () => {
    const { logger, lines } = capture();
    const cause = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    logger.error('failed', { error: new StoreUnavailableError('store get failed', { cause }) });
    expect(lines[0]?.error).toEqual({
      name: 'StoreUnavailableError',
      message: 'store get failed',
      code: 'ERR_STORE_UNAVAILABLE',
      cause: { name: 'ThrottlingException', message: 'Rate exceeded', httpStatusCode: 400 },
    });
    expect(JSON.stringify(lines)).not.toContain('at ');
  });
});

describe('tokenFingerprint', () => {
  it('is stable, short and does not contain the token', () => {
    const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyb29tIn0.c2lnbmF0dXJl';
    expect(tokenFingerprint(token)).toBe(tokenFingerprint(token));
    expect(tokenFingerprint(token)).toMatch(/^sha256:[0-9a-f]{12}$/);
    expect(tokenFingerprint(token)).not.toContain(token.slice(0, 8));
  });
});
