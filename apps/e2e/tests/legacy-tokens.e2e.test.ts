import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeDevPorts, startPnpmDev, stopDev, type DevPorts, type DevProcess } from './helpers/dev-process.ts';
import { readSigningKey, sourceSystemToken, tryConnect } from './helpers/source-system-token.ts';

// `pnpm dev --legacy-tokens` as docs/migrating.md tells a team to try it; dev-stack.e2e.test.ts
// checks that the same token is refused by a stack started without the flag.
let ports: DevPorts;
let dev: DevProcess;

beforeAll(async () => {
  const free = await freeDevPorts();
  ports = free.ports;
  dev = await startPnpmDev(['--legacy-tokens', ...free.args], 200_000);
});

afterAll(async () => {
  await stopDev(dev);
});

describe('pnpm dev --legacy-tokens (source-system compatibility)', () => {
  it('says so in its banner', () => {
    expect(dev.output()).toMatch(/legacy tokens ON/);
  });

  it('a token signed the source system’s way with the stage key connects; roomgate’s own tokens still do', async () => {
    const record = await readSigningKey(`http://127.0.0.1:${ports['--secrets-port']}`, 'local');
    expect(record.alg ?? 'RS256').toBe('RS256');
    expect(await tryConnect(dev.banner.socketUrl, sourceSystemToken(record.private_key, 'lobby'))).toBe('open');

    const issued = await fetch(`${dev.banner.tokenApiUrl}/v1/tokens`, {
      method: 'POST',
      headers: { 'x-api-key': dev.banner.devApiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ roomId: 'lobby' }),
    });
    expect(issued.status).toBe(201);
    expect(await tryConnect(dev.banner.socketUrl, ((await issued.json()) as { token: string }).token)).toBe('open');
  });

  it('an expired source-system token is still refused', async () => {
    const record = await readSigningKey(`http://127.0.0.1:${ports['--secrets-port']}`, 'local');
    const expired = sourceSystemToken(record.private_key, 'lobby', 60, Math.floor(Date.now() / 1000) - 3600);
    expect(await tryConnect(dev.banner.socketUrl, expired)).toBe('refused');
  });
});
