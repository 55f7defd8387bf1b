import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeJwt } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './helpers/browser.ts';
import { freeDevPorts, startPnpmDev, stopGroup, survivors, stopDev, type DevPorts, type DevProcess } from './helpers/dev-process.ts';
import { readSigningKey, sourceSystemToken, tryConnect } from './helpers/source-system-token.ts';
import { accepts } from '@roomgate/local-aws';

const OUTPUT_DIR = fileURLToPath(new URL('../test-output/', import.meta.url));
let ports: DevPorts;
let dev: DevProcess;
let browser: Browser | undefined;
const suffix = Math.random().toString(36).slice(2, 8);

beforeAll(async () => {
  const free = await freeDevPorts();
  ports = free.ports;
  dev = await startPnpmDev(free.args, 200_000);
});

afterAll(async () => {
  await browser?.close();
  // Whatever a failed test left running: Ctrl-C first, then nothing is spared.
  await stopDev(dev);
});

async function joinRoom(room: string, user: string): Promise<Page> {
  const context = await browser!.newContext({ viewport: { width: 900, height: 640 } });
  const page = await context.newPage();
  await page.goto(`${dev.banner.demoUrl}?room=${encodeURIComponent(room)}&user=${encodeURIComponent(user)}`);
  await page.locator('[data-testid="state"][data-state="open"]').waitFor({ timeout: 20_000 });
  return page;
}

const messages = (page: Page) => page.locator('[data-testid="messages"] [data-testid="message"]');

describe('pnpm dev, as a user runs it', () => {
  it('prints a banner on the chosen ports with a dev API key', () => {
    const { '--token-api-port': tokenApi, '--socket-port': socket, '--demo-port': demo } = ports;
    expect(dev.banner).toEqual({
      demoUrl: `http://127.0.0.1:${demo}/`,
      tokenApiUrl: `http://127.0.0.1:${tokenApi}`,
      socketUrl: `ws://127.0.0.1:${socket}`,
      devApiKey: expect.stringMatching(/^rgk_[A-Za-z0-9_-]{43}$/),
    });
  });

  it('the printed curl works: the token API issues a token for the dev API key', async () => {
    const response = await fetch(`${dev.banner.tokenApiUrl}/v1/tokens`, {
      method: 'POST',
      headers: { 'x-api-key': dev.banner.devApiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ roomId: 'lobby', userId: 'alice' }),
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { token: string; roomId: string; socketUrl: string; expiresIn: number };
    expect(body).toMatchObject({ roomId: 'lobby', socketUrl: dev.banner.socketUrl, expiresIn: 300 });
    expect(decodeJwt(body.token)).toMatchObject({ sub: 'lobby', uid: 'alice', iss: 'roomgate', aud: 'roomgate-socket' });

    const refused = await fetch(`${dev.banner.tokenApiUrl}/v1/tokens`, {
      method: 'POST',
      headers: { 'x-api-key': 'rgk_not-the-dev-key-000000000000', 'content-type': 'application/json' },
      body: JSON.stringify({ roomId: 'lobby' }),
    });
    expect(refused.status).toBe(401);
  });

  it('without --legacy-tokens, a token signed the source system’s way (no kid/iss/aud) is refused', async () => {
    const record = await readSigningKey(`http://127.0.0.1:${ports['--secrets-port']}`, 'local');
    expect(await tryConnect(dev.banner.socketUrl, sourceSystemToken(record.private_key, 'lobby'))).toBe('refused');
  });

  it('two browsers in one room chat; a browser in another room hears nothing', async () => {
    browser = await launchChromium();
    const room = `e2e-${suffix}`;
    const [alice, bob, carol] = await Promise.all([joinRoom(room, 'alice'), joinRoom(room, 'bob'), joinRoom(`e2e-other-${suffix}`, 'carol')]);

    const text = `hello from alice ${suffix}`;
    await alice.locator('[data-testid="input"]').fill(text);
    await alice.locator('[data-testid="send"]').click();

    await expect.poll(() => messages(bob).allTextContents(), { timeout: 15_000 }).toEqual([expect.stringContaining(text)]);

    await bob.locator('[data-testid="input"]').fill(`hi alice ${suffix}`);
    await bob.locator('[data-testid="send"]').click();
    await expect.poll(async () => (await messages(alice).allTextContents()).join('\n'), { timeout: 15_000 }).toContain(`hi alice ${suffix}`);

    // A backend publishes through the Rooms API with the same dev API key: both see it.
    const published = await fetch(`${dev.banner.tokenApiUrl}/v1/rooms/${room}/messages`, {
      method: 'POST',
      headers: { 'x-api-key': dev.banner.devApiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ data: { text: `deploy finished ${suffix}` } }),
    });
    expect(published.status).toBe(200);
    // History is on in `pnpm dev`: the message got the room's third seq (two chat lines before it).
    expect(await published.json()).toEqual({
      publishId: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      delivered: 2,
      failed: 0,
      stale: 0,
      seq: 3,
      epoch: expect.any(String),
    });
    for (const page of [alice, bob]) {
      await expect.poll(async () => (await messages(page).allTextContents()).join('\n'), { timeout: 15_000 }).toContain(`deploy finished ${suffix}`);
    }

    // Fan-out is a Query per publish; anything misrouted would have arrived by now.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await messages(carol).count()).toBe(0);

    mkdirSync(OUTPUT_DIR, { recursive: true });
    await bob.screenshot({ path: join(OUTPUT_DIR, 'demo-chat-bob.png') });
    await carol.screenshot({ path: join(OUTPUT_DIR, 'demo-chat-other-room.png') });
    dev.snapshot();
  });

  it('Ctrl-C stops everything: exit 0, no listening port, no process left', async () => {
    await browser?.close();
    browser = undefined;
    dev.snapshot();
    // pnpm, the dev CLI, and the two serverless-offline process groups it started detached.
    expect(new Set([...dev.seen.values()].map((p) => p.pgid)).size).toBeGreaterThanOrEqual(3);

    stopGroup(dev.child, 'SIGINT');
    const exit = await Promise.race([dev.exited, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 30_000))]);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(dev.output()).toContain('stopped; every port is free');

    await expect.poll(() => survivors(dev.seen).map((p) => p.pid), { timeout: 10_000 }).toEqual([]);
    const listening = (await Promise.all(Object.values(ports).map(async (port) => ((await accepts(port)) ? port : undefined)))).filter((p) => p !== undefined);
    expect(listening).toEqual([]);
  });
});
