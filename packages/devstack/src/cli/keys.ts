#!/usr/bin/env node
import { runKeysCli } from './keys-command.ts';

// The SDK warns on every Node 20 run that future releases need Node 22; on an operator's
// terminal that buries the one line this tool prints. Set the variable to false to see it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

process.exitCode = await runKeysCli(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
