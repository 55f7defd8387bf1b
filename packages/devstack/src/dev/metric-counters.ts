/** The part of an EMF line (CloudWatch Embedded Metric Format) the summary reads. */
interface EmfLine {
  _aws?: { CloudWatchMetrics?: Array<{ Metrics?: Array<{ Name?: unknown; Unit?: unknown }> }> };
  [name: string]: unknown;
}

/**
 * Adds up the EMF lines the services print (one per dimension set per invocation,
 * `@roomgate/shared/runtime`'s createMetrics) into one line for the end of `pnpm dev`:
 * `metrics: ConnectAccepted=3 ConnectRefused=1 PublishLatency=avg 12 ms (4)`.
 */
export class MetricCounters {
  readonly #counts = new Map<string, number>();
  readonly #durations = new Map<string, { sum: number; n: number }>();

  /** Reads one output line; true when it was an EMF line (counted). */
  add(line: string): boolean {
    const start = line.indexOf('{"_aws"');
    if (start === -1) return false;
    let emf: EmfLine;
    try {
      emf = JSON.parse(line.slice(start)) as EmfLine;
    } catch {
      return false;
    }
    for (const directive of emf._aws?.CloudWatchMetrics ?? []) {
      for (const { Name: name, Unit: unit } of directive.Metrics ?? []) {
        if (typeof name !== 'string') continue;
        const values = ([] as unknown[]).concat(emf[name]).filter((v): v is number => typeof v === 'number');
        if (unit === 'Milliseconds') {
          const d = this.#durations.get(name) ?? { sum: 0, n: 0 };
          for (const v of values) {
            d.sum += v;
            d.n += 1;
          }
          this.#durations.set(name, d);
        } else {
          this.#counts.set(name, (this.#counts.get(name) ?? 0) + values.reduce((a, b) => a + b, 0));
        }
      }
    }
    return true;
  }

  /** One line, metrics in name order; undefined when no EMF line was read. */
  summary(): string | undefined {
    const parts = [
      ...[...this.#counts].map(([name, n]) => [name, `${name}=${n}`] as const),
      ...[...this.#durations].map(([name, d]) => [name, `${name}=avg ${Math.round(d.sum / d.n)} ms (${d.n})`] as const),
    ].sort(([a], [b]) => a.localeCompare(b));
    return parts.length === 0 ? undefined : `metrics: ${parts.map(([, text]) => text).join(' ')}`;
  }
}
