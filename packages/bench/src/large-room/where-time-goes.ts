import { readFileSync } from 'node:fs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Wall time spent in each DynamoDB command (calls overlap, so the sum can exceed the run). */
export interface CommandTimes {
  get(): Record<string, { calls: number; ms: number }>;
  reset(): void;
}

/**
 * Times every command the client sends, as SDK middleware: the store and the fan-out run
 * unchanged, and the bench can say how much of a run went to dynalite reads and deletes.
 */
export function timeCommands(client: DynamoDBClient): CommandTimes {
  let times: Record<string, { calls: number; ms: number }> = {};
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const start = performance.now();
      try {
        return await next(args);
      } finally {
        const entry = (times[context.commandName ?? 'unknown'] ??= { calls: 0, ms: 0 });
        entry.calls += 1;
        entry.ms += performance.now() - start;
      }
    },
    { step: 'initialize', name: 'benchCommandTimes' },
  );
  return {
    get: () => structuredClone(times),
    reset: () => void (times = {}),
  };
}

/** Busy share of all cores between two readings of /proc/stat (the whole machine, every process). */
export function machineLoad(): () => number {
  const read = () => {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    return { idle, total };
  };
  const before = read();
  return () => {
    const after = read();
    const total = after.total - before.total;
    return total > 0 ? 1 - (after.idle - before.idle) / total : 0;
  };
}
