// Loaded by `pnpm dev` into each serverless-offline process (NODE_OPTIONS --import, see
// offline-specs.ts) before serverless starts: a failed asynchronous invoke is logged as a warning
// instead of ending the process (async-invoke-guard.mjs says why). Plain JavaScript: that process
// has no TypeScript loader.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { guardAsyncInvokes } from './async-invoke-guard.mjs';

// serverless-offline runs handlers in worker threads, which load preloads too; only the main
// thread runs the invoke controllers.
if (isMainThread) {
  // The service directory is the working directory (offline-specs.ts): the serverless-offline it
  // loads as a plugin is the one resolved from there, so this is the same module instance.
  const lambdaModule = createRequire(join(process.cwd(), 'package.json')).resolve('serverless-offline/lambda');
  const { default: Lambda } = await import(pathToFileURL(lambdaModule).href);
  guardAsyncInvokes(Lambda, {
    warn: (functionName, reason) => {
      const error = reason instanceof Error ? { name: reason.name, message: reason.message } : { message: String(reason) };
      // One JSON line at warn level: `pnpm dev` shows it without --verbose.
      process.stderr.write(
        `${JSON.stringify({
          level: 'WARN',
          service: 'devstack',
          message: `asynchronous invoke of ${functionName} failed: ${error.message}; AWS Lambda would retry the event (the function's maximumRetryAttempts), serverless-offline drops it`,
          functionName,
          error,
        })}\n`,
      );
    },
  });
}
