import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { localClientConfig } from '@roomgate/local-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeDevPorts, startPnpmDev, stopDev, type DevPorts, type DevProcess } from './helpers/dev-process.ts';
import { tryConnect } from './helpers/source-system-token.ts';

// A fan-out shard is queued with an asynchronous invoke (InvocationType Event). serverless-offline
// 14 runs such an invoke without awaiting it, so a shard that throws or runs past its timeout used
// to end as an unhandled rejection that killed the socket service and, with it, all of `pnpm dev`.
// In AWS the failed invoke is retried; locally it must be a warning and the stack must stay up.
let ports: DevPorts;
let dev: DevProcess;
let lambda: LambdaClient;
const SHARD_FUNCTION = 'roomgate-socket-local-fanOutShard';

beforeAll(async () => {
  const free = await freeDevPorts();
  ports = free.ports;
  dev = await startPnpmDev(free.args, 200_000);
  lambda = new LambdaClient({ ...localClientConfig(`http://127.0.0.1:${ports['--socket-lambda-port']}`), maxAttempts: 1 });
});

afterAll(async () => {
  lambda?.destroy();
  await stopDev(dev);
});

const running = () => dev.child.exitCode === null && dev.child.signalCode === null;

/** Polls the output until `pattern` shows, `pnpm dev` exits, or `timeoutMs` passes. */
async function waitForOutput(pattern: RegExp, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && running()) {
    if (pattern.test(dev.output())) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return pattern.test(dev.output());
}

async function freshToken(): Promise<string> {
  const issued = await fetch(`${dev.banner.tokenApiUrl}/v1/tokens`, {
    method: 'POST',
    headers: { 'x-api-key': dev.banner.devApiKey, 'content-type': 'application/json' },
    body: JSON.stringify({ roomId: 'lobby' }),
  });
  expect(issued.status).toBe(201);
  return ((await issued.json()) as { token: string }).token;
}

describe('pnpm dev when an asynchronous invoke of the shard function fails', () => {
  it('logs the failed invoke as a warning and keeps every part running', async () => {
    const failing = (n: number) =>
      lambda.send(new InvokeCommand({ FunctionName: SHARD_FUNCTION, InvocationType: 'Event', Payload: JSON.stringify({ notAShardJob: n }) }));
    // Two in a row: the first failure must not leave the function or the endpoint wedged.
    expect((await failing(1)).StatusCode).toBe(202);
    const warned = await waitForOutput(/asynchronous invoke of roomgate-socket-local-fanOutShard failed/, 30_000);
    expect(running(), dev.output()).toBe(true);
    expect(warned, dev.output()).toBe(true);
    expect((await failing(2)).StatusCode).toBe(202);
    // The second failure is logged too (the first one did not silence the guard).
    expect(await waitForOutput(/(asynchronous invoke of roomgate-socket-local-fanOutShard failed[\s\S]*){2}/, 30_000), dev.output()).toBe(true);

    // Past the moment the old process died: still up, and both services still answer.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(running(), dev.output()).toBe(true);
    expect(dev.output()).not.toMatch(/stopped unexpectedly/);
    expect(await tryConnect(dev.banner.socketUrl, await freshToken())).toBe('open');
  });

  it('a synchronous invoke with the same bad event still reports the function error to its caller', async () => {
    const answer = await lambda.send(new InvokeCommand({ FunctionName: SHARD_FUNCTION, Payload: JSON.stringify({ notAShardJob: true }) }));
    expect(answer.FunctionError).toBeDefined();
    expect(running()).toBe(true);
  });
});
