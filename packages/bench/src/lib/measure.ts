/**
 * Timing helpers. The machine is shared and has two cores, so absolute rates drift; what the
 * suite reports are ratios of cases measured side by side. `interleave` runs the cases in short
 * alternating slices and keeps the median slice of each, so a burst of load from elsewhere hits
 * every case alike instead of one.
 */
export interface Rate {
  /** operations per wall-clock second (median slice) */
  perSecond: number;
  /** wall-clock microseconds per operation (median slice) */
  microsPerOp: number;
  /**
   * operations per second of this process's CPU time (user + system, all threads, so GC helper
   * threads count), median slice. On a box shared with other jobs the wall clock also counts the
   * time the scheduler gave to someone else; CPU time does not, so ratios use this.
   */
  perCpuSecond: number;
  cpuMicrosPerOp: number;
  ops: number;
}

export type Case = () => unknown | Promise<unknown>;

/** Runs `fn` back to back (awaiting each call) for about `ms` milliseconds. */
export async function slice(fn: Case, ms: number): Promise<{ ops: number; ns: bigint; cpuMicros: number }> {
  const deadline = process.hrtime.bigint() + BigInt(Math.round(ms * 1e6));
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  let ops = 0;
  let now = start;
  // Check the clock every few calls only: hrtime is cheap but not free next to a 20 µs operation.
  while (now < deadline) {
    for (let i = 0; i < 8; i += 1) {
      const result = fn();
      // Thenables too: light-my-request's inject returns a chain object, not a Promise.
      if (result !== null && typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') await result;
    }
    ops += 8;
    now = process.hrtime.bigint();
  }
  const used = process.cpuUsage(cpu);
  return { ops, ns: now - start, cpuMicros: used.user + used.system };
}

export interface InterleaveOptions {
  rounds?: number;
  msPerSlice?: number;
  warmupMs?: number;
}

/** Measures every case in alternating slices; returns each case's median slice rate. */
export async function interleave<K extends string>(cases: Record<K, Case>, options: InterleaveOptions = {}): Promise<Record<K, Rate>> {
  const rounds = options.rounds ?? 5;
  const msPerSlice = options.msPerSlice ?? 300;
  const names = Object.keys(cases) as K[];
  for (const name of names) await slice(cases[name], options.warmupMs ?? 150);
  const rates = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  const cpuRates = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  const totals = Object.fromEntries(names.map((n) => [n, 0])) as Record<K, number>;
  for (let round = 0; round < rounds; round += 1) {
    // Rotate the order so no case always runs right after the same neighbour.
    const order = names.map((_, i) => names[(i + round) % names.length] as K);
    for (const name of order) {
      const { ops, ns, cpuMicros } = await slice(cases[name], msPerSlice);
      rates[name].push(ops / (Number(ns) / 1e9));
      cpuRates[name].push(ops / (cpuMicros / 1e6));
      totals[name] += ops;
    }
  }
  return Object.fromEntries(
    names.map((n) => {
      const perSecond = median(rates[n]);
      const perCpuSecond = median(cpuRates[n]);
      return [n, { perSecond, microsPerOp: 1e6 / perSecond, perCpuSecond, cpuMicrosPerOp: 1e6 / perCpuSecond, ops: totals[n] }];
    }),
  ) as Record<K, Rate>;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}
