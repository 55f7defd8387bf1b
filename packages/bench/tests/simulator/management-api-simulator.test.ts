import { ConnectionGoneError, DeliveryFailedError } from '@roomgate/shared/errors';
import { describe, expect, it } from 'vitest';
import { createManagementApiSimulator, type ManagementApiSimulatorOptions } from '../../src/simulator/management-api-simulator.ts';

const frame = (messageId: string) => new TextEncoder().encode(JSON.stringify({ type: 'message', data: { messageId } }));
const messageIdOf = (bytes: Uint8Array) => (JSON.parse(new TextDecoder().decode(bytes)) as { data: { messageId: string } }).data.messageId;
const ids = (n: number) => Array.from({ length: n }, (_, i) => `conn-${i}=`);

function simulator(options: Partial<ManagementApiSimulatorOptions> & { clock?: { t: number } } = {}) {
  const clock = options.clock ?? { t: 0 };
  return createManagementApiSimulator({ messageIdOf, now: () => clock.t, sleep: async () => {}, ...options });
}

describe('management API simulator', () => {
  it('answers the burst, then 429 as the SDK would, converted by the production ManagementApi', async () => {
    const sim = simulator({ quota: { ratePerSecond: 10, burst: 3 } });
    const message = frame('m1');
    const outcomes = await Promise.allSettled(ids(5).map((id) => sim.api.post(id, message)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(3);
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => o.reason as DeliveryFailedError);
    expect(refused).toHaveLength(2);
    for (const error of refused) {
      expect(error).toBeInstanceOf(DeliveryFailedError);
      expect(error.httpStatusCode).toBe(429);
      expect((error.cause as Error).name).toBe('LimitExceededException');
    }
    expect(sim.stats()).toMatchObject({ requests: 5, delivered: 3, throttled: 2, gone: 0, duplicates: 0 });
  });

  it('admits again once the bucket refilled', async () => {
    const clock = { t: 0 };
    const sim = simulator({ clock, quota: { ratePerSecond: 10, burst: 1 } });
    await sim.api.post('a', frame('m1'));
    await expect(sim.api.post('b', frame('m1'))).rejects.toMatchObject({ httpStatusCode: 429 });
    clock.t = 100;
    await sim.api.post('b', frame('m1'));
    expect(sim.deliveries('m1', 'b')).toBe(1);
  });

  it('answers 410 for about goneFraction of the connections, the same ones every time', async () => {
    const sim = simulator({ goneFraction: 0.1, quota: { ratePerSecond: 1e9, burst: 1e6 } });
    const members = ids(20_000);
    const gone = members.filter((id) => sim.isGone(id));
    expect(gone.length).toBeGreaterThan(1_800);
    expect(gone.length).toBeLessThan(2_200);
    for (const id of gone.slice(0, 50)) await expect(sim.api.post(id, frame('m1'))).rejects.toBeInstanceOf(ConnectionGoneError);
    await sim.api.post(
      members.find((id) => !sim.isGone(id))!,
      frame('m1'),
    );
    expect(sim.stats()).toMatchObject({ gone: 50, delivered: 1 });
    expect(members.filter((id) => simulator({ goneFraction: 0.1 }).isGone(id))).toEqual(gone);
  });

  it('has no gone connection at goneFraction 0', () => {
    const sim = simulator();
    expect(ids(10_000).some((id) => sim.isGone(id))).toBe(false);
  });

  it('counts a second delivery of one message to one connection as a duplicate, not a next message', async () => {
    const sim = simulator();
    const first = frame('m1');
    await sim.api.post('a', first);
    await sim.api.post('b', first);
    await sim.api.post('a', frame('m2'));
    expect(sim.stats()).toMatchObject({ delivered: 3, duplicates: 0 });
    await sim.api.post('a', first);
    // Other bytes of the same message: still the same message.
    await sim.api.post('b', frame('m1'));
    expect(sim.stats()).toMatchObject({ delivered: 5, duplicates: 2 });
    expect(sim.deliveries('m1', 'a')).toBe(2);
    expect(sim.deliveries('m2', 'a')).toBe(1);
    expect(sim.deliveries('m2', 'b')).toBe(0);
  });

  it('does not count a throttled or gone post as a delivery', async () => {
    const sim = simulator({ quota: { ratePerSecond: 1, burst: 1 }, goneFraction: 1 });
    await expect(sim.api.post('a', frame('m1'))).rejects.toBeInstanceOf(ConnectionGoneError);
    await expect(sim.api.post('a', frame('m1'))).rejects.toBeInstanceOf(DeliveryFailedError);
    expect(sim.deliveries('m1', 'a')).toBe(0);
    expect(sim.stats()).toMatchObject({ requests: 2, gone: 1, throttled: 1, delivered: 0, lastDeliveryAt: undefined });
  });

  it('answers each request after a latency drawn from [min, max]', async () => {
    const waits: number[] = [];
    const draws = [0, 0.5, 0.999];
    const sim = simulator({ latencyMs: { min: 10, max: 40 }, random: () => draws.shift()!, sleep: async (ms) => void waits.push(ms) });
    for (const id of ids(3)) await sim.api.post(id, frame('m1'));
    expect(waits[0]).toBe(10);
    expect(waits[1]).toBe(25);
    expect(waits[2]).toBeCloseTo(39.97);
  });

  it('records when the last delivery was answered', async () => {
    const clock = { t: 5 };
    const sim = simulator({ clock });
    await sim.api.post('a', frame('m1'));
    clock.t = 12;
    await sim.api.post('b', frame('m1'));
    expect(sim.stats().lastDeliveryAt).toBe(12);
  });
});
