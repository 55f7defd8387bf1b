import type { LambdaClient } from '@aws-sdk/client-lambda';
import { loadLambdaSdk } from '../runtime/lambda-client.ts';
import { clientOf, type ClientRef } from '../runtime/lazy-client.ts';
import { ShardDispatchError } from '../errors.ts';
import type { FanOutShardJob } from './fan-out-shard.ts';

/** Starts fan-out shards elsewhere; a fake in tests, asynchronous Lambda invocations in AWS and under `pnpm dev`. */
export interface ShardDispatcher {
  /**
   * Queues every job (in parallel). Throws ShardDispatchError naming the jobs that could not be
   * queued (`undispatched`, their indexes); the others are queued and run.
   */
  dispatch(jobs: readonly FanOutShardJob[]): Promise<void>;
}

export interface LambdaShardDispatcherOptions {
  /** A client, or one built on the first dispatch (the SDK package is not loaded before: runtime/lazy-client.ts). */
  client: ClientRef<LambdaClient>;
  /** The shard function's name or ARN (`roomgate-socket-<stage>-fanOutShard`). */
  functionName: string;
}

/**
 * One asynchronous Invoke (`InvocationType: Event`) per shard: Lambda queues the event and answers
 * 202 at once, then runs the shards in parallel on its own scaling. An event is at most 1 MB
 * (Lambda quotas, asynchronous invocation payload); a job carries one frame (≤ 128 KB) in base64.
 * Lambda may deliver an event more than once: the shard's claim makes a repeat a no-op.
 */
export function createLambdaShardDispatcher(options: LambdaShardDispatcherOptions): ShardDispatcher {
  const { client, functionName } = options;
  const encoder = new TextEncoder();
  return {
    async dispatch(jobs) {
      // Awaited by every job: when the SDK or the client cannot be had, every job is undispatched (and kept for a retry).
      const sdk = Promise.all([loadLambdaSdk(), clientOf(client)]);
      sdk.catch(() => undefined);
      const outcomes = await Promise.allSettled(
        jobs.map(async (job) => {
          const [{ InvokeCommand }, lambda] = await sdk;
          return lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: encoder.encode(JSON.stringify(job)) }));
        }),
      );
      // A FunctionError on an Event invoke means the event was refused (e.g. serverless-offline's unknown function).
      const problem = (outcome: (typeof outcomes)[number]): unknown =>
        outcome.status === 'rejected'
          ? outcome.reason
          : outcome.value.FunctionError !== undefined || (outcome.value.StatusCode ?? 202) !== 202
            ? new Error(`Invoke answered ${JSON.stringify(outcome.value.StatusCode)} ${outcome.value.FunctionError ?? ''}`.trim())
            : undefined;
      const failed = jobs.flatMap((job, i) => {
        const cause = problem(outcomes[i]!);
        return cause === undefined ? [] : [{ job, cause }];
      });
      const first = failed[0];
      if (first !== undefined)
        throw new ShardDispatchError({
          cause: first.cause,
          publishId: first.job.publishId,
          shards: first.job.shards,
          undispatched: failed.map((f) => f.job.index),
        });
    },
  };
}
