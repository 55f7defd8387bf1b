import { createJsonLogger } from '@roomgate/shared/runtime';
import { parseDemoConfig } from './config.ts';
import { startDemoServer } from './server.ts';

// Standalone entry (`pnpm --filter @roomgate/demo start`); `pnpm dev` embeds startDemoServer instead.
const logger = createJsonLogger({ base: { service: 'demo' } });
try {
  const server = await startDemoServer({ ...parseDemoConfig(process.env), logger });
  process.stdout.write(`\nroomgate demo: ${server.url}?room=lobby&user=alice\n\n`);
  const stop = () => void server.close().finally(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  // Config and port problems are the user's to fix: say what is wrong, no stack.
  process.stderr.write(`demo: ${(error as Error).message}\n`);
  process.exit(1);
}
