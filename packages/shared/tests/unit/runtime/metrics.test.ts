import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../../src/errors.ts';
import { METRIC_NAMES, countLoadFailure, createMetrics, isThrottle } from '../../../src/runtime/metrics.ts';

interface Emf {
  _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

function capture() {
  const lines: Emf[] = [];
  const metrics = createMetrics({ service: 'roomgate-socket', defaultDimensions: { stage: 'dev' }, write: (l) => lines.push(JSON.parse(l) as Emf) });
  return { metrics, lines };
}

describe('createMetrics (Embedded Metric Format)', () => {
  it('writes nothing until flushed, then one EMF line per set of dimensions, and nothing again', () => {
    const { metrics, lines } = capture();
    metrics.count('ConnectAccepted');
    metrics.count('ConnectAccepted');
    metrics.count('ConnectRefused', { code: 'ERR_TOKEN_EXPIRED' });
    expect(lines).toEqual([]);
    metrics.flush();
    expect(lines).toHaveLength(2);
    const [accepted, refused] = lines;
    expect(accepted).toMatchObject({ service: 'roomgate-socket', stage: 'dev', ConnectAccepted: [1, 1] });
    expect(accepted?._aws.CloudWatchMetrics).toEqual([
      { Namespace: 'Roomgate', Dimensions: [['service', 'stage']], Metrics: [{ Name: 'ConnectAccepted', Unit: 'Count' }] },
    ]);
    // The rollup the alarms watch, and the breakdown by code.
    expect(refused?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([
      ['service', 'stage'],
      ['service', 'stage', 'code'],
    ]);
    expect(refused).toMatchObject({ code: 'ERR_TOKEN_EXPIRED', ConnectRefused: 1 });
    metrics.flush();
    expect(lines).toHaveLength(2);
  });

  it('records durations in milliseconds, rounded and never negative', () => {
    const { metrics, lines } = capture();
    metrics.milliseconds('PublishLatency', 12.6, { origin: 'client' });
    metrics.milliseconds('PublishLatency', -1, { origin: 'client' });
    metrics.flush();
    expect(lines[0]).toMatchObject({ origin: 'client', PublishLatency: [13, 0] });
    expect(lines[0]?._aws.CloudWatchMetrics[0]?.Metrics).toEqual([{ Name: 'PublishLatency', Unit: 'Milliseconds' }]);
  });

  it('the same dimensions given in another order share one line', () => {
    const { metrics, lines } = capture();
    metrics.count('Throttles', { dependency: 'dynamodb', code: 'x' });
    metrics.count('Throttles', { code: 'x', dependency: 'dynamodb' });
    metrics.flush();
    expect(lines).toHaveLength(1);
  });
});

describe('isThrottle / countLoadFailure', () => {
  const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
  it.each([
    ['an SDK throttling error', throttled, true],
    ['one wrapped by a store error', new StoreUnavailableError('get failed', { cause: throttled }), true],
    ['an HTTP 429', Object.assign(new Error('x'), { $metadata: { httpStatusCode: 429 } }), true],
    ['another SDK error', Object.assign(new Error('x'), { name: 'ResourceNotFoundException' }), false],
    ['not an error', 'ThrottlingException', false],
  ])('%s → %s', (_, error, expected) => {
    expect(isThrottle(error)).toBe(expected);
  });

  it('counts a key-load failure, and a throttle when Secrets Manager throttled', () => {
    const { metrics, lines } = capture();
    countLoadFailure(metrics, 'public-keys', throttled);
    countLoadFailure(metrics, 'public-keys', new Error('network'));
    metrics.flush();
    expect(lines.find((l) => 'KeyLoadFailures' in l)).toMatchObject({ key: 'public-keys', KeyLoadFailures: [1, 1] });
    expect(lines.find((l) => 'Throttles' in l)).toMatchObject({ dependency: 'secrets-manager', Throttles: 1 });
  });
});

describe('docs/operations.md, Metrics', () => {
  const docs = readFileSync(fileURLToPath(new URL('../../../../../docs/operations.md', import.meta.url)), 'utf8');
  const table = docs.slice(docs.indexOf('## Metrics'), docs.indexOf('## Alarms'));

  it.each(METRIC_NAMES)('lists %s', (name) => {
    expect(table).toMatch(new RegExp(`^\\|[^\\n]*\`${name}\``, 'm'));
  });

  it('gives the codes AccessRefused carries as the code emits them', () => {
    const row = table.split('\n').find((line) => line.startsWith('| `AccessRefused`'));
    for (const code of ['ERR_USER_BANNED', 'ERR_TOKEN_REVOKED', 'ERR_TOKEN_REUSED']) expect(row).toContain(code);
  });
});
