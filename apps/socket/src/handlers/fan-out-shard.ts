import { ConfigError } from '@roomgate/shared/errors';
import { parseFanOutShardJob, runFanOutShard, type FanOutShardDeps, type FanOutShardResult } from '@roomgate/shared/delivery';
import { noMetrics, type Metrics } from '@roomgate/shared/runtime';

export interface FanOutShardHandlerDeps extends Omit<FanOutShardDeps, 'status'> {
  /** Undefined when PUBLISHES_TABLE_NAME is unset: every invocation then fails (a deployment error). */
  status: FanOutShardDeps['status'] | undefined;
  /**
   * `FanOutShards` by `outcome` (done, skipped, failed) and, for a shard that ran, the same
   * `Deliveries` / `DeliveryFailed` / `DeliveryStale` as an unsharded publish plus `Throttles`
   * (dependency `management-api`: throttled posts, retried); default: none.
   */
  metrics?: Metrics;
}

/**
 * The fan-out shard function's logic: checks the event (a FanOutShardJob), runs the shard, counts
 * what it did. Throws ConfigError without a publishes table, InvalidShardJobError on a bad event and
 * StoreUnavailableError when the range cannot be listed, so the failure also shows in the function's `Errors`.
 *
 * A sharded publish has no `PublishLatency`: the last shard would have to learn it is the last
 * (finishShard returning the new counters) and the status holds `queuedAt` in whole seconds only;
 * its progress is `GET …/publishes/{publishId}` (docs/operations.md, Metrics).
 */
export function makeFanOutShardHandler(deps: FanOutShardHandlerDeps): (event: unknown) => Promise<FanOutShardResult> {
  const metrics = deps.metrics ?? noMetrics;
  return async (event) => {
    let result: FanOutShardResult;
    try {
      if (deps.status === undefined) throw new ConfigError(['PUBLISHES_TABLE_NAME is required for the fan-out shard function']);
      const job = parseFanOutShardJob(event);
      result = await runFanOutShard({ ...deps, status: deps.status }, job);
    } catch (error) {
      metrics.count('FanOutShards', { outcome: 'failed' });
      throw error;
    }
    if (result.skipped) {
      metrics.count('FanOutShards', { outcome: 'skipped' });
      return result;
    }
    metrics.count('FanOutShards', { outcome: 'done' });
    metrics.count('Deliveries', undefined, result.delivered);
    metrics.count('DeliveryFailed', undefined, result.failed);
    metrics.count('DeliveryStale', undefined, result.stale);
    if (result.throttled > 0) metrics.count('Throttles', { dependency: 'management-api' }, result.throttled);
    return result;
  };
}
