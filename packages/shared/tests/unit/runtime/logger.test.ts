import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../../src/errors.ts';
import { createJsonLogger, tokenFingerprint, type LogLevel } from '../../../src/runtime/logger.ts';
import { withLogContext } from '../../../src/runtime/log-context.ts';
import { withInvocation } from '../../../src/runtime/instrument.ts';
import { noMetrics } from '../../../src/runtime/metrics.ts';

function capture(level?: LogLevel) {
  const lines: Record<string, unknown>[] = [];
  const logger = createJsonLogger({ base: { service: 's', stage: 'dev' }, write: (l) => lines.push(JSON.parse(l)), ...(level ? { level } : {}) });
  return { logger, lines };
}

const LAMBDA = {
  awsRequestId: 'aws-req-1',
  functionName: 'roomgate-socket-dev-connect',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:1:function:f',
  memoryLimitInMB: '512',
};

describe('createJsonLogger (Powertools lines)', () => {
  it.each([
    ['a string', 'socket hang up'],
    ['a number', 42],
    ['null', null],
  ])('an `error` field holding %s is still an object with a message (one error shape)', (_name, thrown) => {
    const { logger, lines } = capture();
    logger.warn('reload failed', { error: thrown });
    expect(lines[0]).toMatchObject({ error: { message: String(thrown) } });
  });

  it('writes one JSON object per line in the Powertools shape, with base and child fields', () => {
    const { logger, lines } = capture();
    logger.child({ connectionId: 'c1' }).info('connected', { roomId: 'r' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'INFO', message: 'connected', service: 's', stage: 'dev', connectionId: 'c1', roomId: 'r' });
    expect(lines[0]?.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('drops lines below the level; fatal is CRITICAL', () => {
    const { logger, lines } = capture('warn');
    logger.info('quiet');
    logger.debug('quieter');
    logger.warn('loud');
    logger.fatal('init failed');
    expect(lines.map((l) => [l.level, l.message])).toEqual([
      ['WARN', 'loud'],
      ['CRITICAL', 'init failed'],
    ]);
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

  it('keeps a field named like a Powertools key under `<key>_` instead of losing it', () => {
    const { logger, lines } = capture();
    logger.info('x', { message: 'inner', level: 3 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ message: 'x', message_: 'inner', level: 'INFO', level_: 3 });
  });

  it('redacts a JWT, an API key, a private key and a presigned URL given by mistake', () => {
    const { logger, lines } = capture();
    const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    logger.warn(`bad token ${jwt}`, {
      header: `Bearer ${jwt}`,
      nested: { apiKey: 'rgk_abcdefghijklmnopqrstuvwxyz0123456789' },
      pem: '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49\n-----END PRIVATE KEY-----',
      url: 'wss://abc.execute-api.us-east-1.amazonaws.com/dev?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F&X-Amz-Signature=deadbeef',
    });
    const text = JSON.stringify(lines);
    for (const secret of [jwt, 'rgk_abcdefghijklmnop', 'MIGHAgEAMBMGByqGSM49', 'deadbeef', 'AKIA']) expect(text).not.toContain(secret);
    expect(lines[0]?.header).toBe(`Bearer [jwt ${tokenFingerprint(jwt)}]`);
    expect(String(lines[0]?.url)).toContain('wss://abc.execute-api.us-east-1.amazonaws.com/dev?X-Amz-Algorithm=AWS4-HMAC-SHA256');
  });
});

describe('withInvocation and withLogContext', () => {
  it('puts the Lambda fields and the request ids on every line of the invocation, from a logger made at cold start', async () => {
    const { logger, lines } = capture();
    const domain = logger.child({ component: 'store' });
    const handler = withInvocation(
      { logger, metrics: noMetrics },
      (event: { id: string }) => ({ connectionId: event.id }),
      async () => {
        domain.info('inside');
        return 'ok';
      },
    );
    await handler({ id: 'conn-1' }, LAMBDA);
    logger.info('after');
    expect(lines[0]).toMatchObject({
      message: 'inside',
      function_request_id: 'aws-req-1',
      function_name: 'roomgate-socket-dev-connect',
      cold_start: expect.any(Boolean),
      connectionId: 'conn-1',
      component: 'store',
    });
    expect(lines[1]).not.toHaveProperty('connectionId');
  });

  it('keeps the ids of two overlapping invocations apart', async () => {
    const { logger, lines } = capture();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = withLogContext({ requestId: 'a' }, async () => {
      await gate;
      logger.info('first');
    });
    await withLogContext({ requestId: 'b' }, async () => logger.info('second'));
    release();
    await first;
    expect(lines.map((l) => [l.message, l.requestId])).toEqual([
      ['second', 'b'],
      ['first', 'a'],
    ]);
  });

  it('flushes the metrics after the handler, also when it throws', async () => {
    let flushed = 0;
    const handler = withInvocation(
      { logger: capture().logger, metrics: { ...noMetrics, flush: () => void (flushed += 1) } },
      () => ({}),
      async () => {
        throw new Error('boom');
      },
    );
    await expect(handler({})).rejects.toThrow('boom');
    expect(flushed).toBe(1);
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
