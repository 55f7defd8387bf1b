import cluster from 'node:cluster';

/**
 * The token API's `server.ts` in N processes sharing one port through node:cluster (the primary
 * accepts and hands connections round-robin; each worker runs server.ts unchanged). Node 20 has
 * no SO_REUSEPORT in `listen`, so this is how one box serves on every core.
 */
const workers = Number(process.env.BENCH_WORKERS ?? 2);
if (cluster.isPrimary) {
  for (let i = 0; i < workers; i += 1) cluster.fork();
  let listening = 0;
  cluster.on('listening', () => {
    listening += 1;
    if (listening === workers) process.stderr.write('cluster ready\n');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.kill();
      process.exit(0);
    });
  }
} else {
  await import('@roomgate/token-api/token/server');
}
