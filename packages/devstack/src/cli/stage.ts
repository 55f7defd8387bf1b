#!/usr/bin/env node
import { runStageCli } from './stage-command.ts';

process.exitCode = await runStageCli(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
