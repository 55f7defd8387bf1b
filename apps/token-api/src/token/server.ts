import { EnvReader } from '@roomgate/shared/runtime';
import { buildApp } from './app.ts';
import { parseConfig } from './config.ts';
import { createRuntime } from './runtime.ts';

// Local development without serverless-offline: same app, API keys only (there is no IAM here).
const config = parseConfig(process.env);
const read = new EnvReader(process.env);
const port = read.int('PORT', { default: 3000, min: 0, max: 65_535 });
const host = read.string('HOST', { default: '127.0.0.1' });
read.done();

const app = buildApp({ config, ...createRuntime(config) });
await app.listen({ port, host });

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void app.close().then(() => process.exit(0)));
}
