import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeDevPorts, startPnpmDev, stopDev, type DevProcess } from './helpers/dev-process.ts';
import { tryConnect } from './helpers/source-system-token.ts';

// `pnpm dev --stage <s>` as docs/operations.md and `pnpm dev --help` offer it. A stage other than
// `local` gets none of serverless.yml's `local` params, so the devstack passes every endpoint and
// table itself; it once started with HISTORY_TABLE_NAME "[object Object]" and failed its own check.
// The name has no stages/<name>.yml: the stage's settings are the defaults.
const STAGE = 'e2e-custom';
let dev: DevProcess | undefined;

beforeAll(async () => {
  const free = await freeDevPorts();
  dev = await startPnpmDev(['--stage', STAGE, ...free.args], 200_000);
});

afterAll(async () => {
  await stopDev(dev);
});

describe(`pnpm dev --stage ${STAGE}`, () => {
  it('passes its startup check (a fresh token connects) with the stage in every name', () => {
    const output = dev!.output();
    expect(output).toMatch(/token API → socket service: a fresh token connects/);
    expect(output).toContain(`tables roomgate-${STAGE}-connections, roomgate-${STAGE}-rooms and roomgate-${STAGE}-history`);
    expect(output).not.toMatch(/\[object Object\]/);
  });

  it('issues tokens the socket service admits, and the Rooms API publishes into the stage', async () => {
    const { tokenApiUrl, socketUrl, devApiKey } = dev!.banner;
    const issued = await fetch(`${tokenApiUrl}/v1/tokens`, {
      method: 'POST',
      headers: { 'x-api-key': devApiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ roomId: 'lobby' }),
    });
    expect(issued.status).toBe(201);
    expect(await tryConnect(socketUrl, ((await issued.json()) as { token: string }).token)).toBe('open');

    // The Rooms API writes and reads the stage's history table (an AWS-only default before).
    const headers = { 'x-api-key': devApiKey, 'content-type': 'application/json' };
    const published = await fetch(`${tokenApiUrl}/v1/rooms/lobby/messages`, { method: 'POST', headers, body: JSON.stringify({ data: { text: 'hi' } }) });
    expect(published.status, await published.clone().text()).toBe(200);
    const { seq } = (await published.json()) as { seq: number };
    const history = await fetch(`${tokenApiUrl}/v1/rooms/lobby/messages`, { headers });
    expect(history.status).toBe(200);
    expect(((await history.json()) as { messages: { seq: number; data: unknown }[] }).messages).toContainEqual(
      expect.objectContaining({ seq, data: { text: 'hi' } }),
    );
  });
});
