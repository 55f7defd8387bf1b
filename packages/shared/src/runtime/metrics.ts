import { Metrics as PowertoolsMetrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * Every metric roomgate writes (namespace `Roomgate`, docs/operations.md, Metrics). A closed list,
 * so the alarms and the dashboard in both serverless.yml name metrics that exist.
 */
export type MetricName =
  /** `$connect` admitted a connection. */
  | 'ConnectAccepted'
  /** `$connect` refused one; dimension `code` (ERR_TOKEN_EXPIRED, ERR_USER_BANNED, ERR_STORE_UNAVAILABLE…). */
  | 'ConnectRefused'
  /** A token issued; dimension `callerKind` (api-key, iam). */
  | 'TokensIssued'
  /** A message published (stored and fanned out); dimension `origin` (client, server). */
  | 'Publishes'
  /** Posts that reached a connection, per publish (0 included, so ratios have a denominator). */
  | 'Deliveries'
  /** Posts that failed for another reason than 410 (throttling, 5xx): the row is kept. */
  | 'DeliveryFailed'
  /** Connections that answered 410 or were past their TTL: their rows are removed. */
  | 'DeliveryStale'
  /** Milliseconds from the start of a publish to its last delivery settled; dimension `origin`. */
  | 'PublishLatency'
  /** A publish handed to fan-out shards (a room past the sharding threshold); dimension `origin`. Its deliveries are counted by the shards. */
  | 'PublishesQueued'
  /** A fan-out shard invocation; dimension `outcome` (done, skipped: a repeat of a shard that ran, failed: it threw). */
  | 'FanOutShards'
  /** Keys or API keys could not be loaded from Secrets Manager; dimension `key` (public-keys, signing-key, api-keys). */
  | 'KeyLoadFailures'
  /**
   * An AWS call answered with throttling after the SDK's retries; dimension `dependency` (dynamodb,
   * secrets-manager, aws). `management-api`: posts of a fan-out shard throttled and retried with backoff.
   */
  | 'Throttles'
  /** A client's publish refused by its per-connection rate limit (ERR_RATE_LIMITED). */
  | 'PublishRateLimited'
  /** A `history` read (recovery); dimension `recovered` (true, false: the position had expired). */
  | 'HistoryReads'
  /** A refresh or a connect refused by a ban or a revocation; dimension `code`. */
  | 'AccessRefused';

/** Every MetricName once (the Record makes the compiler hold it to the union): the package tests check each is on a dashboard and in the docs. */
const EVERY_METRIC: Record<MetricName, true> = {
  ConnectAccepted: true,
  ConnectRefused: true,
  TokensIssued: true,
  Publishes: true,
  Deliveries: true,
  DeliveryFailed: true,
  DeliveryStale: true,
  PublishLatency: true,
  PublishesQueued: true,
  FanOutShards: true,
  KeyLoadFailures: true,
  Throttles: true,
  PublishRateLimited: true,
  HistoryReads: true,
  AccessRefused: true,
};
export const METRIC_NAMES = Object.keys(EVERY_METRIC) as readonly MetricName[];

/**
 * Dimensions a metric may carry: a few values each, never a room, user, connection or token id
 * (each distinct value is a billed custom metric, CloudWatch pricing).
 */
export interface MetricDimensions {
  code?: string;
  callerKind?: 'api-key' | 'iam';
  origin?: 'client' | 'server';
  key?: 'public-keys' | 'signing-key' | 'api-keys';
  dependency?: string;
  recovered?: 'true' | 'false';
  outcome?: 'done' | 'skipped' | 'failed';
}

/** Counters and timings of one function, written as CloudWatch Embedded Metric Format lines. */
export interface Metrics {
  /** Adds `value` (default 1) to `name` for this invocation. */
  count(name: MetricName, dimensions?: MetricDimensions, value?: number): void;
  /** Records one duration in milliseconds. */
  milliseconds(name: MetricName, value: number, dimensions?: MetricDimensions): void;
  /**
   * Writes what this invocation recorded, one EMF line per set of dimensions, and clears it.
   * `withInvocation` calls it after every invocation, thrown or not.
   */
  flush(): void;
}

export interface MetricsOptions {
  /** CloudWatch namespace (default `Roomgate`). */
  namespace?: string;
  /** The `service` dimension: the stack's service name (`roomgate-socket`, `roomgate-token-api`). */
  service: string;
  /** Dimensions on every metric (`stage`), so two stages in one account stay apart. */
  defaultDimensions?: Record<string, string>;
  /** Where an EMF line goes; defaults to stdout (CloudWatch Logs extracts the metrics from the log group). */
  write?: (line: string) => void;
}

export const METRICS_NAMESPACE = 'Roomgate';

/**
 * `@aws-lambda-powertools/metrics` under roomgate's facade. Each metric is published under two
 * dimension sets: `[service, stage]` (what the alarms watch: every refusal, whatever its code)
 * and, when it has dimensions, `[service, stage, …its dimensions]` (the breakdown on the
 * dashboard). One Powertools instance per distinct dimension set, because an EMF line applies
 * all of its dimension sets to all of its metrics.
 */
export function createMetrics(options: MetricsOptions): Metrics {
  const write = options.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const byDimensions = new Map<string, { emf: PowertoolsMetrics; dimensions: Record<string, string> }>();

  const instanceFor = (dimensions: MetricDimensions | undefined) => {
    const clean = Object.fromEntries(Object.entries(dimensions ?? {}).filter(([, v]) => typeof v === 'string' && v !== '')) as Record<string, string>;
    const key = JSON.stringify(Object.entries(clean).sort(([a], [b]) => a.localeCompare(b)));
    let entry = byDimensions.get(key);
    if (entry === undefined) {
      const emf = new PowertoolsMetrics({
        namespace: options.namespace ?? METRICS_NAMESPACE,
        serviceName: options.service,
        ...(options.defaultDimensions ? { defaultDimensions: options.defaultDimensions } : {}),
      });
      entry = { emf, dimensions: clean };
      byDimensions.set(key, entry);
    }
    return entry.emf;
  };

  return {
    count: (name, dimensions, value = 1) => void instanceFor(dimensions).addMetric(name, MetricUnit.Count, value),
    milliseconds: (name, value, dimensions) => void instanceFor(dimensions).addMetric(name, MetricUnit.Milliseconds, Math.max(0, Math.round(value))),
    flush: () => {
      for (const { emf, dimensions } of byDimensions.values()) {
        if (!emf.hasStoredMetrics()) continue;
        if (Object.keys(dimensions).length > 0) {
          // Dimension sets are per flush (Powertools clears them): the rollup, then the breakdown.
          emf.addDimensions({});
          emf.addDimensions(dimensions);
        }
        try {
          write(JSON.stringify(emf.serializeMetrics()));
        } finally {
          emf.clearMetrics();
          emf.clearDimensions();
        }
      }
    },
  };
}

/** Records nothing (tests, and code paths built without metrics). */
export const noMetrics: Metrics = { count: () => {}, milliseconds: () => {}, flush: () => {} };

/** Error names an AWS service answers with when it throttles (after the SDK's own retries). */
const THROTTLE_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'LimitExceededException',
]);

/** Whether `error` or one of its causes is an AWS throttling answer (by name, or HTTP 429). */
export function isThrottle(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 4) return false;
  if (THROTTLE_NAMES.has(error.name)) return true;
  if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 429) return true;
  return isThrottle(error.cause, depth + 1);
}

/**
 * `Throttles` for a request that failed because an AWS dependency throttled it (isThrottle), by
 * the dependency behind the error's code: `ERR_STORE_UNAVAILABLE` → `dynamodb`, anything else →
 * `aws`. Key loads are skipped (`ERR_KEY_UNAVAILABLE`): countLoadFailure counts them once per
 * load, not once per request that met the failed load. Used by the socket handlers and the token
 * API's error handler alike.
 */
export function countThrottle(metrics: Metrics | undefined, error: unknown): void {
  if (!isThrottle(error)) return;
  const code = (error as { code?: unknown }).code;
  if (code === 'ERR_KEY_UNAVAILABLE') return;
  metrics?.count('Throttles', { dependency: code === 'ERR_STORE_UNAVAILABLE' ? 'dynamodb' : 'aws' });
}

/**
 * A secret that could not be loaded: `KeyLoadFailures` by key, and `Throttles` (dependency
 * `secrets-manager`) when Secrets Manager throttled the read.
 */
export function countLoadFailure(metrics: Metrics | undefined, key: NonNullable<MetricDimensions['key']>, error: unknown): void {
  metrics?.count('KeyLoadFailures', { key });
  if (isThrottle(error)) metrics?.count('Throttles', { dependency: 'secrets-manager' });
}
