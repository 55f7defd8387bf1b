import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { accepts, freePort, stopProcessGroup } from '@roomgate/local-aws';
import { fileURLToPath } from 'node:url';

const SERVICE_DIR = fileURLToPath(new URL('../..', import.meta.url));
const SLS_BIN = fileURLToPath(new URL('../../node_modules/serverless/bin/serverless.js', import.meta.url));

export interface RunningOffline {
  wsUrl: string;
  managementEndpoint: string;
  logs(): string;
  stop(): Promise<void>;
}

/**
 * `sls offline start --stage local` as a child process in its own process group, on free ports,
 * with `env` added. Resolves once the websocket port accepts connections; rejects with the
 * child's output if it exits first or takes longer than `timeoutMs`.
 */
export async function startOffline(env: Record<string, string>, timeoutMs = 90_000): Promise<RunningOffline> {
  const [wsPort, httpPort, lambdaPort] = [await freePort(), await freePort(), await freePort()];
  const host = '127.0.0.1';
  const buildDir = `.esbuild-e2e-${process.pid}`;
  rmSync(`${SERVICE_DIR}/${buildDir}`, { recursive: true, force: true });

  let output = '';
  const child: ChildProcess = spawn(process.execPath, [SLS_BIN, 'offline', 'start', '--stage', 'local'], {
    cwd: SERVICE_DIR,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_REGION: 'us-east-1',
      ROOMGATE_SOCKET_HOST: host,
      ROOMGATE_SOCKET_WS_PORT: String(wsPort),
      ROOMGATE_SOCKET_HTTP_PORT: String(httpPort),
      ROOMGATE_SOCKET_LAMBDA_PORT: String(lambdaPort),
      ROOMGATE_ESBUILD_DIR: buildDir,
      ...env,
    },
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const stop = async (): Promise<void> => {
    await stopProcessGroup(child);
    rmSync(`${SERVICE_DIR}/${buildDir}`, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  for (;;) {
    if (exitCode !== undefined) throw new Error(`serverless offline exited with ${exitCode}:\n${output}`);
    if (output.includes('Offline [websocket] listening') && (await accepts(wsPort, host))) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`serverless offline not ready after ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { wsUrl: `ws://${host}:${wsPort}`, managementEndpoint: `http://${host}:${wsPort}`, logs: () => output, stop };
}
