import { isValidPublishId, isValidRoomId } from '@roomgate/protocol/ids';
import { InvalidShardJobError } from '../errors.ts';
import type { ConnectionStore } from '../store/connection-store.ts';
import type { Logger } from '../runtime/logger.ts';
import type { Clock } from '../runtime/clock.ts';
import { createBroadcaster, type BroadcastResult } from './fan-out.ts';
import type { FanOutShardJob } from './shard-job.ts';
import type { ManagementApi } from './management-api.ts';
import type { PublishStatusStore, ShardCounts } from './publish-status.ts';
import { withThrottleRetry, type ThrottleRetryOptions } from './throttle-retry.ts';

// The job's shape lives in its own module (the status store keeps jobs too); callers import it from here.
export type { FanOutShardJob } from './shard-job.ts';

/** What one shard did; `skipped` when it had run before (a duplicate delivery of its invocation). */
export interface FanOutShardResult extends ShardCounts {
  /** Posts that gave up after the throttling budget (included in `failed`). */
  gaveUp: number;
  skipped: boolean;
}

export interface FanOutShardDeps {
  store: Pick<ConnectionStore, 'roomRange' | 'deleteGone'>;
  management: Pick<ManagementApi, 'post'>;
  status: Pick<PublishStatusStore, 'claimShard' | 'finishShard'>;
  logger: Logger;
  /** Posts in flight at once in this shard. */
  concurrency: number;
  /** Backoff on throttling; `sleep` and `random` are injectable here. */
  retry?: ThrottleRetryOptions;
  clock?: Clock;
}

/**
 * Runs one shard: claims it (at most once per publish), posts `job.frame` to every member of
 * `job.range` with `deps.concurrency` posts in flight, retries throttling with backoff and jitter
 * within the budget, applies fan-out's 410 rules (docs/architecture.md, "What a 410 proves"), then
 * adds its counts to the publish's status. Resolves the counts (all zero and `skipped` for a
 * duplicate). Throws StoreUnavailableError when the range cannot be listed (or the status cannot
 * be claimed or written); the status then counts the shard as failed, with what it delivered
 * before the listing failed, when it can; members not reached recover the message from history.
 */
export async function runFanOutShard(deps: FanOutShardDeps, job: FanOutShardJob): Promise<FanOutShardResult> {
  const fields = { roomId: job.roomId, publishId: job.publishId, shard: job.index, shards: job.shards };
  if (!(await deps.status.claimShard(job.publishId, job.index))) {
    deps.logger.info('fan-out shard already ran', fields);
    return { delivered: 0, failed: 0, stale: 0, throttled: 0, gaveUp: 0, skipped: true };
  }
  const management = withThrottleRetry(deps.management, deps.retry);
  const broadcaster = createBroadcaster({
    store: { roomConnections: () => deps.store.roomRange(job.roomId, job.range), deleteGone: (id) => deps.store.deleteGone(id) },
    management,
    concurrency: deps.concurrency,
    logger: deps.logger,
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
  const frame = Buffer.from(job.frame, 'base64');
  // Filled as posts settle: when the listing fails midway, what was delivered is still recorded.
  const posted: BroadcastResult = { delivered: 0, failed: 0, stale: 0 };
  const counts = (): ShardCounts => ({ ...posted, throttled: management.counts.throttled });
  try {
    await broadcaster.broadcast(job.roomId, new Uint8Array(frame), job.exclude, posted);
  } catch (error) {
    // The broadcaster logged the listing failure with the counts so far; the status says the shard stopped.
    await deps.status
      .finishShard(job.publishId, counts(), { listed: false })
      .catch((statusError: unknown) => deps.logger.error('fan-out shard could not record its failure', { ...fields, ...counts(), error: statusError }));
    throw error;
  }
  await deps.status.finishShard(job.publishId, counts(), { listed: true });
  deps.logger.info('fan-out shard done', { ...fields, ...counts(), gaveUp: management.counts.gaveUp });
  return { ...counts(), gaveUp: management.counts.gaveUp, skipped: false };
}

/**
 * Checks an incoming event is a FanOutShardJob (the shard function is invoked only by roomgate's
 * own publishers, so a bad event is a bug or a stray invocation). Throws InvalidShardJobError.
 */
export function parseFanOutShardJob(event: unknown): FanOutShardJob {
  const job = event as Partial<FanOutShardJob> | null;
  const problems: string[] = [];
  if (typeof job !== 'object' || job === null) throw new InvalidShardJobError(['not an object']);
  if (job.kind !== 'roomgate.fan-out-shard') problems.push('kind');
  if (!isValidPublishId(job.publishId)) problems.push('publishId');
  if (!isValidRoomId(job.roomId)) problems.push('roomId');
  if (!Number.isInteger(job.shards) || (job.shards as number) < 1) problems.push('shards');
  if (!Number.isInteger(job.index) || (job.index as number) < 0 || (job.index as number) >= (job.shards as number)) problems.push('index');
  if (typeof job.frame !== 'string' || job.frame === '') problems.push('frame');
  const range = job.range as Record<string, unknown> | undefined;
  if (typeof range !== 'object' || range === null || Object.entries(range).some(([k, v]) => !RANGE_KEYS.has(k) || typeof v !== 'string'))
    problems.push('range');
  if (problems.length > 0) throw new InvalidShardJobError(problems);
  return job as FanOutShardJob;
}

const RANGE_KEYS = new Set(['after', 'from', 'until', 'through']);
