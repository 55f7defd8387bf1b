#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { runDevCli } from './dev-command.ts';

// The SDK warns on every Node 20 run that future releases need Node 22; it would bury the banner.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING ??= '1';

const code = await runDevCli(process.argv.slice(2), {
  env: process.env,
  // pnpm runs scripts in the package directory; INIT_CWD is where the user typed the command.
  cwd: process.env.INIT_CWD ?? process.cwd(),
  repoRoot: fileURLToPath(new URL('../../../../', import.meta.url)),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  onSignal: (handler) => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => handler(signal));
  },
});
// SDK keep-alive sockets and timers would otherwise hold the process open after everything stopped.
process.exit(code);
