import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './helpers/browser.ts';
import { freeDevPorts, startPnpmDev, stopDev, type DevProcess } from './helpers/dev-process.ts';
import { connectionIds, deleteConnection, devStackOf, hideRow, postToRoom, startMember, until, type DevStack, type Member } from './helpers/room-members.ts';

/**
 * Issue 13 ("No message lost") through `pnpm dev` as a user starts it (history on): the Rooms
 * API, the socket service under serverless-offline, dynalite, `@roomgate/client` over `ws`, and
 * the demo page in headless Chromium. Loopback only.
 */

let dev: DevProcess;
let stack: DevStack;
let browser: Browser | undefined;
const members: Member[] = [];
const run = Math.random().toString(36).slice(2, 8);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  dev = await startPnpmDev((await freeDevPorts()).args, 200_000);
  stack = devStackOf(dev.banner, dev.output());
});

afterAll(async () => {
  for (const member of members) member.client.close();
  await browser?.close();
  stack?.dynamo.destroy();
  await stopDev(dev);
});

async function member(roomId: string, userId: string, options: Parameters<typeof startMember>[3] = {}): Promise<Member> {
  const started = await startMember(stack, roomId, userId, options);
  members.push(started);
  return started;
}

/** What the application saw, as `[seq, data]`; the seqs it was given and the data the publisher sent. */
const seen = (m: Member) => m.messages.map((message) => [message.seq, message.data]);

describe('no message lost, through pnpm dev', () => {
  it('a publisher posts every 100 ms for 10 s: a client reconnecting every 3 s and one closed by the server every 3 s each see every message once, in order', async () => {
    const roomId = `hist-reconnect-${run}`;
    const planned = await member(roomId, 'planned', { maxConnectionAgeMs: 3_000 });
    const closed = await member(roomId, 'closed');

    const sent: Array<[number, unknown]> = [];
    let publishing = true;
    const publisher = (async () => {
      const started = Date.now();
      for (let n = 0; Date.now() - started < 10_500; n += 1) {
        const data = { n, run };
        const { seq } = await postToRoom(stack, roomId, data);
        sent.push([seq, data]);
        await sleep(started + (n + 1) * 100 - Date.now());
      }
      publishing = false;
    })();

    // The server closes `closed`'s current socket every 3 s, as API Gateway or a backend would.
    let kills = 0;
    const killer = (async () => {
      while (publishing) {
        await sleep(3_000);
        if (!publishing) break;
        const [id] = await connectionIds(stack, roomId, 'closed');
        if (id && (await deleteConnection(stack, id)) === 204) kills += 1;
      }
    })();
    await Promise.all([publisher, killer]);

    const last = sent.at(-1)![0];
    const done = (m: Member) => m.messages.at(-1)?.seq === last;
    await until(
      () => done(planned) && done(closed),
      () => `planned at ${planned.messages.at(-1)?.seq}, closed at ${closed.messages.at(-1)?.seq}, last ${last}`,
    );

    expect(sent.length).toBeGreaterThanOrEqual(60);
    // Publishes are sequential, so their seqs are consecutive; the apps' lists must equal it exactly.
    expect(sent.map(([seq]) => seq)).toEqual(sent.map((_, i) => sent[0]![0] + i));
    // Nothing was published to this room before the first post: the lists must be equal as a whole.
    expect(seen(planned)).toEqual(sent);
    expect(seen(closed)).toEqual(sent);
    for (const m of [planned, closed]) expect(m.recoveries.filter((r) => !r.recovered)).toEqual([]);

    // The test proves something only if both really reconnected, and the server-closed one really missed messages live.
    expect(planned.opens).toBeGreaterThanOrEqual(4);
    expect(kills).toBeGreaterThanOrEqual(3);
    expect(closed.opens).toBeGreaterThanOrEqual(kills + 1);
    expect(closed.recoveries.reduce((sum, r) => sum + r.replayed, 0)).toBeGreaterThan(0);
  }, 60_000);

  it('four publishers at once (two clients, two backends): every member sees the same order, seqs +1 each, nothing missing or doubled', async () => {
    const roomId = `hist-concurrent-${run}`;
    const [p1, p2, ...listeners] = await Promise.all(['p1', 'p2', 'm1', 'm2', 'm3'].map((user) => member(roomId, user)));
    const PER_PUBLISHER = 25;
    const acks: Array<{ seq: number; data: unknown }> = [];
    const byClient = (m: Member) => async () => {
      for (let i = 0; i < PER_PUBLISHER; i += 1) {
        const data = { by: m.userId, i };
        acks.push({ seq: (await m.client.publish(data)).seq!, data });
      }
    };
    const byBackend = (name: string) => async () => {
      for (let i = 0; i < PER_PUBLISHER; i += 1) {
        const data = { by: name, i };
        acks.push({ seq: (await postToRoom(stack, roomId, data)).seq, data });
      }
    };
    await Promise.all([byClient(p1!), byClient(p2!), byBackend('b1'), byBackend('b2')].map((publish) => publish()));

    const total = 4 * PER_PUBLISHER;
    const everyone = [p1!, p2!, ...listeners];
    await until(
      () => everyone.every((m) => m.messages.length >= total),
      () => everyone.map((m) => `${m.userId} ${m.messages.length}`).join(', '),
      20_000,
    );
    await sleep(500); // anything doubled would arrive now

    const expected = [...acks].sort((a, b) => a.seq - b.seq).map(({ seq, data }) => [seq, data]);
    expect(expected.map(([seq]) => seq)).toEqual(expected.map((_, i) => 1 + i));
    for (const m of everyone) expect(seen(m)).toEqual(expected);
  }, 60_000);

  it('a member that a live delivery missed gets that message, in order, from history when the next one arrives', async () => {
    const roomId = `hist-fault-${run}`;
    const missed = await member(roomId, 'missed');
    const observer = await member(roomId, 'observer');
    await postToRoom(stack, roomId, 'one');
    await until(
      () => missed.messages.length === 1 && observer.messages.length === 1,
      () => 'first message',
    );

    // Fan-out finds no row for `missed` while 'two' goes out: its post never happens, as when it fails.
    const [id] = await connectionIds(stack, roomId, 'missed');
    const restore = await hideRow(stack, id!);
    const two = await postToRoom(stack, roomId, 'two');
    expect(two.delivered).toBe(1);
    await until(
      () => observer.messages.length === 2,
      () => 'observer got two',
    );
    await restore();
    await postToRoom(stack, roomId, 'three');

    await until(
      () => missed.messages.length === 3,
      () => `missed has ${JSON.stringify(seen(missed))}`,
    );
    expect(seen(missed)).toEqual([
      [1, 'one'],
      [2, 'two'],
      [3, 'three'],
    ]);
    expect(seen(observer)).toEqual(seen(missed));
    // 'two' never reached `missed` live; it came in a history reply, after 'three' had.
    const live = missed.frames.filter((f) => f.type === 'message').map((f) => f.seq);
    expect(live).toEqual([1, 3]);
    const replies = missed.frames.filter((f) => f.type === 'history');
    expect(replies.flatMap((r) => r.messages ?? []).map((m) => m.seq)).toContain(2);
    expect(missed.recoveries).toEqual([]);
  }, 30_000);

  it('eight clients connect, and a Rooms API publish right after their connect() resolved reaches every app (5 rounds)', async () => {
    const ROUNDS = 5;
    const MEMBERS = 8;
    for (let round = 0; round < ROUNDS; round += 1) {
      const roomId = `hist-join-${run}-${round}`;
      // Odd rounds start with history in the room (the join then has a position to be behind of).
      if (round % 2 === 1) for (const n of [1, 2, 3]) await postToRoom(stack, roomId, { before: n });
      const joined = await Promise.all(Array.from({ length: MEMBERS }, (_, i) => member(roomId, `u${i}`)));
      const published = await postToRoom(stack, roomId, { round });
      expect(published.delivered).toBe(MEMBERS);
      await until(
        () => joined.every((m) => m.messages.some((message) => message.seq === published.seq)),
        () =>
          `round ${round}: ${joined.filter((m) => !m.messages.some((message) => message.seq === published.seq)).length} of ${MEMBERS} apps never got seq ${published.seq}`,
        5_000,
      );
      await sleep(300); // anything doubled would arrive now
      for (const m of joined) {
        // Only what was published after the join, once: never the messages from before it.
        expect(seen(m)).toEqual([[published.seq, { round }]]);
        expect(m.recoveries).toEqual([]);
        m.client.close();
      }
    }
  }, 90_000);

  it('a message published with excludeUserId never reaches that user, not even through gap-fill or a reconnect replay', async () => {
    const roomId = `hist-exclude-${run}`;
    const alice = await member(roomId, 'alice');
    const bob = await member(roomId, 'bob');
    await postToRoom(stack, roomId, { n: 1 });
    const excluded = await postToRoom(stack, roomId, { n: 2 }, { excludeUserId: 'alice' });
    expect(excluded.delivered).toBe(1);
    await postToRoom(stack, roomId, { n: 3 });
    await until(
      () => bob.messages.length === 3 && alice.messages.length >= 2,
      () => `alice ${JSON.stringify(seen(alice))}, bob ${JSON.stringify(seen(bob))}`,
    );
    await sleep(1_000); // alice's client notices the gap at seq 3 and asks history (gapWaitMs 500)
    expect(seen(bob).map(([, data]) => data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(seen(alice).map(([, data]) => data)).toEqual([{ n: 1 }, { n: 3 }]);
    // Her client did ask history for the gap; the reply carried a skip entry, not the message.
    const entries = alice.frames.filter((f) => f.type === 'history').flatMap((r) => r.messages ?? []);
    expect(entries).toContainEqual({ type: 'skip', roomId, seq: excluded.seq, epoch: excluded.epoch });

    // Published while her socket is being replaced: whether her reconnect replay or a gap-fill
    // covers it, what she gets for it is a skip entry.
    const [id] = await connectionIds(stack, roomId, 'alice');
    expect(await deleteConnection(stack, id!)).toBe(204);
    const whileAway = await postToRoom(stack, roomId, { n: 4 }, { excludeUserId: 'alice' });
    await postToRoom(stack, roomId, { n: 5 });
    await until(
      () => alice.messages.length === 3 && bob.messages.length === 5,
      () => `alice ${JSON.stringify(seen(alice))}`,
    );
    await sleep(1_000);
    expect(seen(alice).map(([, data]) => data)).toEqual([{ n: 1 }, { n: 3 }, { n: 5 }]);
    expect(alice.frames.filter((f) => f.type === 'history').flatMap((r) => r.messages ?? [])).toContainEqual({
      type: 'skip',
      roomId,
      seq: whileAway.seq,
      epoch: whileAway.epoch,
    });
    expect(alice.recoveries.filter((r) => !r.recovered)).toEqual([]);
  }, 30_000);

  it('the demo page keeps its conversation when the server drops its socket, including what was published while it was down', async () => {
    browser = await launchChromium();
    const roomId = `hist-demo-${run}`;
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${dev.banner.demoUrl}?room=${roomId}&user=alice`);
    const state = page.locator('[data-testid="state"]');
    await page.locator('[data-testid="state"][data-state="open"]').waitFor({ timeout: 20_000 });
    const texts = async (p: Page) => (await p.locator('[data-testid="messages"] [data-testid="message"] .text').allTextContents()) as string[];

    await page.locator('[data-testid="input"]').fill('hello before');
    await page.locator('[data-testid="send"]').click();
    // The click's publish and the backend's race for the room's next seq; either order is a valid
    // total order, so the backend posts only once the page's own message is in.
    await expect.poll(() => texts(page), { timeout: 10_000 }).toEqual(['hello before']);
    await postToRoom(stack, roomId, { text: 'backend before' });
    await expect.poll(() => texts(page), { timeout: 10_000 }).toEqual(['hello before', 'backend before']);

    // Hold the page's next token request so the socket stays down while the room goes on.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/token', async (route) => {
      await held;
      await route.continue();
    });
    const [id] = await connectionIds(stack, roomId, 'alice');
    expect(await deleteConnection(stack, id!)).toBe(204);
    await expect.poll(() => state.getAttribute('data-state'), { timeout: 10_000 }).not.toBe('open');
    for (const text of ['while down 1', 'while down 2', 'while down 3']) await postToRoom(stack, roomId, { text });
    expect(await texts(page)).toEqual(['hello before', 'backend before']);

    release();
    await page.unroute('**/api/token');
    await page.locator('[data-testid="state"][data-state="open"]').waitFor({ timeout: 20_000 });
    await postToRoom(stack, roomId, { text: 'backend after' });
    await page.locator('[data-testid="input"]').fill('hello after');
    await page.locator('[data-testid="send"]').click();

    const conversation = ['hello before', 'backend before', 'while down 1', 'while down 2', 'while down 3', 'backend after', 'hello after'];
    await expect.poll(() => texts(page), { timeout: 15_000 }).toEqual(conversation);
    await sleep(1_000); // anything doubled would arrive now
    expect(await texts(page)).toEqual(conversation);
    // A full recovery needs no words: no notice, only the page's own lines about the drop.
    expect(await page.locator('[data-testid="notice"]').isHidden()).toBe(true);
    expect(await page.locator('[data-testid="system"]').allTextContents()).toEqual([
      `Joined #${roomId} as alice`,
      'Connection lost — reconnecting…',
      'Reconnected',
    ]);
  }, 90_000);
});
