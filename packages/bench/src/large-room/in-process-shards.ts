import { parseFanOutShardJob, type FanOutShardJob, type FanOutShardResult, type ShardDispatcher } from '@roomgate/shared/delivery';

export interface InProcessShardsOptions {
  /**
   * Shard invocations running at once: what Lambda would allow the shard function (its reserved
   * concurrency, or the account's unreserved concurrency, 1,000 by default). Queued jobs wait for a slot.
   */
  concurrency: number;
  /** Runs one shard as the shard function's handler would (the production runFanOutShard). */
  run(job: FanOutShardJob): Promise<FanOutShardResult>;
}

export interface InProcessShards extends ShardDispatcher {
  /** Resolves when every dispatched shard has finished; its results, and the errors of those that threw. */
  settled(): Promise<{ results: FanOutShardResult[]; errors: unknown[] }>;
}

/**
 * Stands in for asynchronous Lambda invocations of the shard function, in this process: `dispatch`
 * queues the jobs and returns at once (as `InvocationType: Event` answers 202), each job crosses a
 * JSON round trip and `parseFanOutShardJob` as a Lambda event would, and at most `concurrency`
 * shards run at once. Not emulated: Lambda's queueing delay and cold starts, and each invocation
 * having a CPU of its own (here they share one event loop).
 */
export function createInProcessShards(options: InProcessShardsOptions): InProcessShards {
  const queue: FanOutShardJob[] = [];
  const results: FanOutShardResult[] = [];
  const errors: unknown[] = [];
  let running = 0;
  let idle: (() => void) | undefined;

  const pump = (): void => {
    while (running < options.concurrency && queue.length > 0) {
      const job = queue.shift()!;
      running += 1;
      void options
        .run(job)
        .then(
          (result) => void results.push(result),
          (error: unknown) => void errors.push(error),
        )
        .finally(() => {
          running -= 1;
          pump();
          if (running === 0 && queue.length === 0) idle?.();
        });
    }
  };

  return {
    async dispatch(jobs) {
      for (const job of jobs) queue.push(parseFanOutShardJob(JSON.parse(JSON.stringify(job))));
      pump();
    },
    async settled() {
      if (running > 0 || queue.length > 0) await new Promise<void>((resolve) => (idle = resolve));
      return { results, errors };
    },
  };
}
