#!/usr/bin/env node
import { REPO_ROOT } from '../stage-settings.ts';
import { runSmokeCli } from './smoke-command.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING ??= '1';

const code = await runSmokeCli(process.argv.slice(2), {
  env: process.env,
  repoRoot: REPO_ROOT,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  onSignal: (handler) => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => handler(signal));
  },
});
// SDK keep-alive sockets and timers would otherwise hold the process open after everything stopped.
process.exit(code);
