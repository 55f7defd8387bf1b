/**
 * Takes the AWS SDK's logger middleware out of a client built without a `logger`.
 *
 * Every SDK v3 client registers `loggerMiddleware`, which after each call runs
 * `logger?.info?.({ input: filter(input), output: filter(output) })`. Without a configured logger
 * the client's logger is a `NoOpLogger` whose `info` exists and does nothing, so the arguments are
 * still built: `schemaLogFilter` walks the whole response against its schema to mask sensitive
 * members, for a log line nobody writes. On a fan-out shard's 1,000-row Query pages that walk was
 * 17 % of the process's CPU (docs/benchmarks.md, large rooms), and it runs on every
 * PostToConnection too. A client given a `logger` keeps the middleware.
 */
export function withoutUnusedSdkLogger<C extends { middlewareStack: { remove(name: string): boolean } }>(client: C, config: { logger?: unknown }): C {
  if (config.logger === undefined) client.middlewareStack.remove('loggerMiddleware');
  return client;
}
