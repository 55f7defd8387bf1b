import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localClientConfig, startEventBridge, type ReceivedEvent, type RunningEventBridge } from '../src/index.ts';

describe('local EventBridge through the real @aws-sdk/client-eventbridge', () => {
  let bus: RunningEventBridge;
  let client: EventBridgeClient;
  const seen: ReceivedEvent[] = [];

  beforeAll(async () => {
    bus = await startEventBridge({ onEvent: (event) => seen.push(event) });
    client = new EventBridgeClient({ ...localClientConfig(bus.endpoint), maxAttempts: 1 });
  });
  afterAll(async () => {
    client.destroy();
    await bus.close();
  });

  it('accepts PutEvents and hands each event over with its detail parsed', async () => {
    const result = await client.send(
      new PutEventsCommand({
        Entries: [{ Source: 'roomgate', DetailType: 'roomgate.connection.opened', EventBusName: 'roomgate-local', Detail: '{"roomId":"lobby"}' }],
      }),
    );
    expect(result.FailedEntryCount).toBe(0);
    expect(result.Entries?.[0]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen.at(-1)).toMatchObject({
      source: 'roomgate',
      detailType: 'roomgate.connection.opened',
      eventBusName: 'roomgate-local',
      detail: { roomId: 'lobby' },
    });
    expect(bus.events.at(-1)).toEqual(seen.at(-1));
  });

  it.each([
    ['no Source', { DetailType: 'x', Detail: '{}' }, 'InvalidArgument'],
    ['no DetailType', { Source: 'roomgate', Detail: '{}' }, 'InvalidArgument'],
    ['Detail not JSON', { Source: 'roomgate', DetailType: 'x', Detail: 'nope' }, 'MalformedDetail'],
    ['Detail an array', { Source: 'roomgate', DetailType: 'x', Detail: '[1]' }, 'MalformedDetail'],
  ])('refuses an entry with %s per entry, as EventBridge does', async (_name, entry, code) => {
    const before = bus.events.length;
    const result = await client.send(new PutEventsCommand({ Entries: [entry, { Source: 'roomgate', DetailType: 'ok', Detail: '{}' }] }));
    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries?.[0]?.ErrorCode).toBe(code);
    expect(bus.events.length).toBe(before + 1);
  });

  it('answers more than 10 entries with a ValidationException', async () => {
    const entries = Array.from({ length: 11 }, () => ({ Source: 'roomgate', DetailType: 'x', Detail: '{}' }));
    await expect(client.send(new PutEventsCommand({ Entries: entries }))).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
