import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { runCleanups } from './lib/processes.ts';
import type { Table } from './lib/report.ts';

/**
 * Runs one section in this process and writes its tables as JSON to argv[3]. The runner gives
 * each section a fresh process (no JIT or heap state carried between sections) with stdout on
 * /dev/null, so the services' own log lines cost what they cost in production without flooding
 * the terminal. Progress goes to stderr.
 */
const [name, out] = process.argv.slice(2);
if (!name || !out) throw new Error('usage: run-section.ts <section> <out.json>');
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void runCleanups().then(() => process.exit(130)));
}
const section = (await import(`./sections/${name}.ts`)) as { run(): Promise<Table[]> };
const tables = await section.run();
// A fresh clone has no output folder yet.
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(tables));
process.exit(0);
