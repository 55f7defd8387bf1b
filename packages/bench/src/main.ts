import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { endpointsToEnv, startLocalStack } from './lib/local-stack.ts';
import { BENCH_DIR, OUT_DIR, TSX } from './lib/paths.ts';
import { printTable, summary, writeMarkdown, type Table } from './lib/report.ts';

/**
 * `pnpm bench [section…]`: every section in its own fresh process, one after another, against one
 * local AWS (dynalite + Secrets Manager) in a process of its own. Prints each table as it lands
 * and writes them all to packages/bench/.out/results.md for docs/benchmarks.md.
 */
const SECTIONS = ['issuance-in-process', 'issuance-http', 'connect', 'fan-out', 'history', 'cold-start', 'large-room'] as const;
/**
 * Sections measured per algorithm get one fresh process per algorithm: in one process the second
 * algorithm's handler ran ~100 µs/token slower than in a process of its own (heap and JIT state
 * left by the first), which is an artefact of the harness, not of the code.
 */
const VARIANTS: Partial<Record<(typeof SECTIONS)[number], string[]>> = {
  'issuance-in-process': ['RS256', 'ES256', 'EdDSA'],
  connect: ['RS256', 'ES256', 'EdDSA'],
};
const args = process.argv.slice(2).filter((a) => a !== '--');
if (args.includes('--help') || args.includes('-h')) {
  console.log(`Usage: pnpm bench [section…]

Runs every section (or the ones named), each in a fresh process, against one local AWS (dynalite +
Secrets Manager) the bench starts itself; prints each table with its baseline, ratio, target and ✓/✗,
and writes them all to packages/bench/.out/results.md. Nothing is needed beyond pnpm install.

Sections: ${SECTIONS.join(', ')}
  e.g. pnpm bench large-room · pnpm bench connect cold-start

Environment: BENCH_COLD_CPU_PROF=<dir> (a V8 CPU profile per cold start; with it,
BENCH_COLD_CPU_PROF_INTERVAL=<µs> between samples, default 1000), BENCH_COLD_VERBOSE=1 (a cold start's own
log lines), BENCH_COLD_SPLIT=0|1 (esbuild splitting of the ES-module bundles off or on; default: the
service's serverless.yml, off for both),
BENCH_COLD_MINIFY=0 (readable bundles, so a profile names each module), BENCH_COLD_RUNS=<n> (default 5),
BENCH_HTTP_ROUNDS=<n> and BENCH_HTTP_SECONDS=<s> (issuance-http; 4 × 2 s), BENCH_LARGE_ROOM_SIZES=<n,n>
(default 10000,100000), BENCH_LARGE_ROOM_SHARDING=<shardSize>x<concurrency>[,…] (extra large-room variants).
docs/benchmarks.md says what each section measures and how.`);
  process.exit(0);
}
const wanted = args;
const unknown = wanted.filter((w) => !(SECTIONS as readonly string[]).includes(w));
if (unknown.length > 0) {
  console.error(`pnpm bench: unknown section(s) ${unknown.join(', ')}; choose from ${SECTIONS.join(', ')} (--help)`);
  process.exit(2);
}
const sections = wanted.length > 0 ? SECTIONS.filter((s) => wanted.includes(s)) : SECTIONS;

/**
 * The numeric (and on/off) settings the sections read from the environment, checked before anything starts: a
 * typo is one line and exit 2, not a stack trace from inside a section minutes into the run.
 */
const positiveInteger = (v: string) => /^[1-9][0-9]*$/.test(v);
const NUMERIC_ENV: Record<string, { ok: (value: string) => boolean; expected: string }> = {
  BENCH_COLD_RUNS: { ok: positiveInteger, expected: 'a positive integer (fresh processes per bundle)' },
  BENCH_COLD_CPU_PROF_INTERVAL: { ok: positiveInteger, expected: 'a positive integer (microseconds between samples)' },
  BENCH_COLD_SPLIT: { ok: (v) => v === '0' || v === '1', expected: '0 or 1' },
  BENCH_HTTP_ROUNDS: { ok: positiveInteger, expected: 'a positive integer' },
  BENCH_HTTP_SECONDS: { ok: (v) => Number(v) > 0 && Number.isFinite(Number(v)), expected: 'a positive number of seconds' },
  BENCH_LARGE_ROOM_SIZES: { ok: (v) => v.split(',').every(positiveInteger), expected: 'positive integers separated by commas' },
  BENCH_LARGE_ROOM_SHARDING: {
    ok: (v) => v.split(',').every((spec) => /^[1-9][0-9]*x[1-9][0-9]*$/.test(spec)),
    expected: '<shardSize>x<concurrency>, separated by commas',
  },
};
for (const [name, { ok, expected }] of Object.entries(NUMERIC_ENV)) {
  const value = process.env[name];
  if (value !== undefined && !ok(value)) {
    console.error(`pnpm bench: ${name}=${JSON.stringify(value)} is not ${expected} (--help)`);
    process.exit(2);
  }
}

const cpuModel = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m)?.[1] ?? cpus()[0]?.model ?? 'unknown';
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const started = new Date();
const machine = `${started.toISOString().slice(0, 16).replace('T', ' ')} UTC · nproc ${cpus().length} · ${cpuModel} · node ${process.version} · load average at start ${load()}`;
console.log(`roomgate bench — ${machine}`);

const stack = await startLocalStack();
const began = performance.now();
try {
  for (const section of sections) {
    process.stderr.write(`\n▶ ${section}\n`);
    const merged: Table[] = [];
    for (const variant of VARIANTS[section] ?? ['']) {
      const out = join(OUT_DIR, `${section}${variant ? `-${variant}` : ''}.json`);
      const code = await new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, [TSX, join(BENCH_DIR, 'src', 'run-section.ts'), section, out], {
          env: { ...process.env, ...endpointsToEnv(stack), BENCH_VARIANT: variant, AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: '1' },
          // stdout: the services' JSON log lines, as production writes them; not for the terminal.
          stdio: ['ignore', 'ignore', 'inherit'],
        });
        child.once('exit', resolve);
      });
      if (code !== 0) throw new Error(`section ${section}${variant ? ` (${variant})` : ''} failed with exit code ${code}`);
      for (const table of JSON.parse(readFileSync(out, 'utf8')) as Table[]) {
        const same = merged.find((t) => t.title === table.title);
        if (same) same.rows.push(...table.rows);
        else merged.push(table);
      }
    }
    for (const table of merged) printTable(table);
  }
} finally {
  await stack.stop();
}

const seconds = Math.round((performance.now() - began) / 1000);
const { met, missed } = summary();
const footer = `${met} targets met, ${missed.length} missed; ${seconds} s; load average at end ${load()}`;
console.log(`\n${footer}`);
for (const row of missed) console.log(`  ✗ ${row.case}: ${row.ratio?.toFixed(2) ?? row.result} (target ${row.target})`);
writeMarkdown(join(OUT_DIR, 'results.md'), `Run: ${machine}\n\n${footer}`);
console.log(`\nmarkdown: ${join(OUT_DIR, 'results.md')}`);
