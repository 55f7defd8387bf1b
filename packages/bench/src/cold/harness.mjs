// One cold start: load a Lambda bundle the way the Node runtime does (require for .cjs, import
// for .mjs), hand it one event, and report times since process start (performance.now()'s origin).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const [bundle, eventFile] = process.argv.slice(2);
const cpuMs = (usage) => (usage.user + usage.system) / 1000;
const ready = performance.now();
const cpuReady = process.cpuUsage();
let result = { ready, readyCpu: cpuMs(cpuReady) };
if (bundle !== 'none') {
  const mod = bundle.endsWith('.cjs') ? createRequire(import.meta.url)(bundle) : await import(pathToFileURL(bundle).href);
  const loaded = performance.now();
  // CPU time as well as wall time: on a box shared with other jobs the wall clock also counts
  // time the scheduler gave to someone else.
  const loadCpu = cpuMs(process.cpuUsage(cpuReady));
  const event = JSON.parse(readFileSync(eventFile, 'utf8'));
  const response = await mod.handler(event, { awsRequestId: 'cold', getRemainingTimeInMillis: () => 10_000 });
  const answered = performance.now();
  result = {
    ...result,
    load: loaded - ready,
    loadCpu,
    first: answered - loaded,
    total: answered,
    totalCpu: cpuMs(process.cpuUsage()),
    status: response.statusCode,
  };
}
process.stderr.write(`COLD ${JSON.stringify(result)}\n`);
process.exit(0);
