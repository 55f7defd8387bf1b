import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer, type DemoServer } from '../../src/index.ts';
import { API_KEY, startFakeTokenApi } from '../helpers/fake-token-api.ts';
import { startFakeSocketServer } from '../helpers/fake-socket-server.ts';

/**
 * The page in real headless Chromium against fakes of the token API and the socket service:
 * checks the page and the client together. The full-stack test (`pnpm dev` + two browsers) lives
 * with the dev orchestrator.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT = fileURLToPath(new URL('../../test-output/', import.meta.url));
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env.CI) throw new Error(`Chromium not found at ${CHROMIUM} (set CHROMIUM_PATH)`);

let socketServer: Awaited<ReturnType<typeof startFakeSocketServer>>;
let tokenApi: Awaited<ReturnType<typeof startFakeTokenApi>>;
let demo: DemoServer;
let browser: Browser;

beforeAll(async () => {
  if (!hasChromium) return;
  socketServer = await startFakeSocketServer();
  tokenApi = await startFakeTokenApi({ socketUrl: socketServer.url });
  demo = await startDemoServer({ tokenApiUrl: tokenApi.url, apiKey: API_KEY, port: 0 });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});
afterAll(async () => {
  await browser?.close();
  await demo?.close();
  await tokenApi?.close();
  await socketServer?.close();
});

async function openPage(room: string, user: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 900, height: 640 } });
  const page = await context.newPage();
  await page.goto(`${demo.url}?room=${room}&user=${user}`);
  return page;
}

const state = (page: Page) => page.getByTestId('state');

describe.skipIf(!hasChromium)('demo page in Chromium (fake backends)', () => {
  it('chats within a room and not across rooms', async () => {
    const alice = await openPage('lobby', 'alice');
    const bob = await openPage('lobby', 'bob');
    const carol = await openPage('attic', 'carol');
    for (const page of [alice, bob, carol]) await expect.poll(() => state(page).getAttribute('data-state')).toBe('open');

    await alice.getByTestId('input').fill('hello bob');
    await alice.getByTestId('send').click();
    await expect.poll(() => bob.getByTestId('message').allTextContents()).toEqual([expect.stringContaining('hello bob')]);
    expect(await bob.getByTestId('message').first().getAttribute('data-from')).toBe('alice');
    await expect.poll(() => alice.getByTestId('message').count()).toBe(1);
    await bob.getByTestId('input').fill('hi alice, how is the lobby?');
    await bob.getByTestId('input').press('Enter');
    await expect.poll(() => alice.getByTestId('message').count()).toBe(2);
    expect(await carol.getByTestId('message').count()).toBe(0);

    await mkdir(OUTPUT, { recursive: true });
    await alice.screenshot({ path: `${OUTPUT}demo-page-chat.png` });
    await Promise.all([alice, bob, carol].map((page) => page.context().close()));
  });

  it('shows a dropped connection and reconnects with a fresh token', async () => {
    const dave = await openPage('lobby', 'dave');
    await expect.poll(() => state(dave).getAttribute('data-state')).toBe('open');
    const tokensBefore = tokenApi.requests.length;

    socketServer.refuseHandshakes(1);
    socketServer.dropUser('dave');
    await expect.poll(() => dave.getByTestId('notice').textContent()).toMatch(/Connection dropped|refused the connection/);
    await expect.poll(() => state(dave).getAttribute('data-state'), { timeout: 10_000 }).toBe('open');
    expect(tokenApi.requests.length).toBeGreaterThanOrEqual(tokensBefore + 2); // one refused, one accepted
    expect(await dave.getByTestId('notice').isHidden()).toBe(true);
    await dave.context().close();
  });

  it('keeps its conversation across a dropped socket: what was sent meanwhile shows up once, in order', async () => {
    const alice = await openPage('porch', 'alice');
    const erin = await openPage('porch', 'erin');
    for (const page of [alice, erin]) await expect.poll(() => state(page).getAttribute('data-state')).toBe('open');
    const say = async (text: string) => {
      await alice.getByTestId('input').fill(text);
      await alice.getByTestId('input').press('Enter');
      await expect.poll(() => alice.getByTestId('message').last().textContent()).toContain(text);
    };
    const texts = () => erin.locator('[data-testid="message"] .text').allTextContents();
    await say('one');
    await expect.poll(texts).toEqual(['one']);

    socketServer.refuseHandshakes(1); // keeps erin away a little longer
    socketServer.dropUser('erin');
    await say('two');
    await say('three');
    await expect.poll(() => state(erin).getAttribute('data-state'), { timeout: 10_000 }).toBe('open');
    await say('four');
    await expect.poll(texts).toEqual(['one', 'two', 'three', 'four']);
    expect(await erin.getByTestId('system').allTextContents()).toContain('Reconnected');
    await Promise.all([alice, erin].map((page) => page.context().close()));
  });

  it('says why when the token is refused', async () => {
    tokenApi.respondWith((request) =>
      request.body.roomId === 'vip'
        ? { status: 403, body: { error: { code: 'ERR_ROOM_FORBIDDEN', message: 'this caller may not issue tokens for room "vip"' } } }
        : { status: 500, body: {} },
    );
    try {
      const eve = await openPage('vip', 'eve');
      await expect.poll(() => state(eve).getAttribute('data-state')).toBe('refused');
      expect(await eve.getByTestId('notice').textContent()).toContain('ERR_ROOM_FORBIDDEN');
      expect(await eve.getByTestId('send').isDisabled()).toBe(true);
      await eve.screenshot({ path: `${OUTPUT}demo-page-refused.png` });
      await eve.context().close();
    } finally {
      tokenApi.respondWith(undefined);
    }
  });
});
