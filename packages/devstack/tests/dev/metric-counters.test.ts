import { describe, expect, it } from 'vitest';
import { createMetrics } from '@roomgate/shared/runtime';
import { MetricCounters } from '../../src/dev/metric-counters.ts';

describe('MetricCounters (the summary line at the end of pnpm dev)', () => {
  it('adds up the EMF lines the services write, counts and durations apart', () => {
    const counters = new MetricCounters();
    // The very lines a function writes (the shared facade), so a change of format breaks this test.
    const metrics = createMetrics({ service: 'roomgate-socket', defaultDimensions: { stage: 'local' }, write: (line) => void counters.add(line) });
    metrics.count('ConnectAccepted');
    metrics.count('ConnectRefused', { code: 'ERR_TOKEN_EXPIRED' });
    metrics.count('ConnectRefused', { code: 'ERR_USER_BANNED' });
    metrics.milliseconds('PublishLatency', 10, { origin: 'client' });
    metrics.flush();
    metrics.count('ConnectAccepted');
    metrics.milliseconds('PublishLatency', 20, { origin: 'client' });
    metrics.flush();
    expect(counters.summary()).toBe('metrics: ConnectAccepted=2 ConnectRefused=2 PublishLatency=avg 15 ms (2)');
  });

  it('ignores other lines, prefixed EMF lines count; nothing read: no summary', () => {
    const counters = new MetricCounters();
    expect(counters.add('{"level":"INFO","message":"connected"}')).toBe(false);
    expect(counters.add('{"_aws": broken')).toBe(false);
    expect(counters.summary()).toBeUndefined();
    expect(counters.add('(λ: default) {"_aws":{"CloudWatchMetrics":[{"Metrics":[{"Name":"Publishes","Unit":"Count"}]}]},"Publishes":[1,1]}')).toBe(true);
    expect(counters.summary()).toBe('metrics: Publishes=2');
  });
});
