import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envWithoutAws, stopProcessGroup } from '@roomgate/local-aws';

export { envWithoutAws, freePort } from '@roomgate/local-aws';

export const SERVICE_DIR = join(import.meta.dirname, '..', '..');
export const SLS = join(SERVICE_DIR, 'node_modules', '.bin', 'sls');

export interface Spawned {
  child: ChildProcess;
  output: () => string;
  /** Stops the process group this helper started (sls → node → workers). */
  stop: () => Promise<void>;
}

/** Starts a command in its own process group and resolves once `ready` appears in its output. */
export function startUntil(command: string, args: string[], options: { env: NodeJS.ProcessEnv; ready: RegExp; timeoutMs: number }): Promise<Spawned> {
  const child = spawn(command, args, { cwd: SERVICE_DIR, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const stop = () => stopProcessGroup(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop().then(() => reject(new Error(`${command} not ready after ${options.timeoutMs} ms:\n${output}`)));
    }, options.timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (options.ready.test(output)) {
        clearTimeout(timer);
        resolve({ child, output: () => output, stop });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code} before it was ready:\n${output}`));
    });
  });
}

export interface LambdaResult {
  statusCode: number;
  headers?: Record<string, string>;
  body: string;
}

/**
 * Runs a packaged Lambda bundle as the runtime would, in a fresh node process with only `env`
 * (no AWS credentials): imports it (its top-level await is the cold start), then hands it each
 * event in turn. Resolves with the handler's results.
 */
export function invokePackagedHandler(bundle: string, events: unknown[], env: Record<string, string>): LambdaResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'roomgate-invoke-'));
  try {
    const eventsFile = join(dir, 'events.json');
    const resultsFile = join(dir, 'results.json');
    writeFileSync(eventsFile, JSON.stringify(events));
    const driver = `
      import { readFileSync, writeFileSync } from 'node:fs';
      const { handler } = await import(process.argv[1]);
      const results = [];
      for (const event of JSON.parse(readFileSync(process.argv[2], 'utf8'))) results.push(await handler(event, {}));
      writeFileSync(process.argv[3], JSON.stringify(results));`;
    execFileSync(process.execPath, ['--input-type=module', '-e', driver, bundle, eventsFile, resultsFile], {
      env: envWithoutAws(env),
      stdio: 'pipe',
      timeout: 30_000,
    });
    return JSON.parse(readFileSync(resultsFile, 'utf8')) as LambdaResult[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
