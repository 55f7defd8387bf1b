import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localClientConfig } from '@roomgate/local-aws';
import type {} from '@roomgate/local-aws/vitest-global-setup';
import { StoreUnavailableError } from '@roomgate/shared/errors';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { IdempotencyInProgressError, IdempotencyKeyReusedError, ListingCursorError } from '../../../src/rooms/errors.ts';
import { createIdempotencyStore, type IdempotencyClaim } from '../../../src/rooms/idempotency-store.ts';
import { createListingCursors } from '../../../src/rooms/listing-cursors.ts';
import { ensureRoomsTable } from '../../helpers/rooms-table.ts';

const TABLE = 'roomgate-test-rooms';
const T0 = 1_800_000_000;
const RESULT = { delivered: 3, failed: 1, stale: 2 };
let client: DynamoDBClient;
let now = T0;
const clock = () => now;
const warnings: string[] = [];
const logger = { info: () => {}, warn: (msg: string) => void warnings.push(msg), error: () => {} };

beforeAll(async () => {
  client = new DynamoDBClient(localClientConfig(inject('dynamoEndpoint')));
  await ensureRoomsTable(client, TABLE);
});
afterAll(() => client?.destroy());

const scope = () => `chat-1#api-key:chat-backend#${randomUUID()}`;
const store = (over: { ttlSeconds?: number; leaseSeconds?: number; tableName?: string } = {}) =>
  createIdempotencyStore({
    client,
    tableName: over.tableName ?? TABLE,
    ttlSeconds: over.ttlSeconds ?? 86_400,
    leaseSeconds: over.leaseSeconds ?? 60,
    clock,
    logger,
  });
const claimed = (claim: IdempotencyClaim) => {
  if (claim.outcome !== 'claimed') throw new Error(`expected a claim, got ${claim.outcome}`);
  return claim;
};

describe('idempotency store on dynalite', () => {
  it('claims a fresh key once, then replays the completed result for the same body', async () => {
    now = T0;
    const key = scope();
    const first = claimed(await store().claim(key, 'fp-1'));
    await first.complete(RESULT);
    expect(await store().claim(key, 'fp-1')).toEqual({ outcome: 'replayed', result: RESULT });
  });

  it('of concurrent claims for one key exactly one wins; the others are told it is in progress', async () => {
    now = T0;
    const key = scope();
    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => store().claim(key, 'fp')));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected')) expect(o.reason).toBeInstanceOf(IdempotencyInProgressError);
  });

  it('refuses the same key with another body, pending or done', async () => {
    now = T0;
    const key = scope();
    const claim = claimed(await store().claim(key, 'fp-a'));
    await expect(store().claim(key, 'fp-b')).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    await claim.complete(RESULT);
    await expect(store().claim(key, 'fp-b')).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
  });

  it('a released claim can be claimed again', async () => {
    now = T0;
    const key = scope();
    await claimed(await store().claim(key, 'fp')).release();
    expect((await store().claim(key, 'fp')).outcome).toBe('claimed');
  });

  it('an abandoned claim (lease over) is taken over by a retry of the same body only; the stale owner cannot complete it', async () => {
    now = T0;
    const key = scope();
    const stale = claimed(await store({ leaseSeconds: 30 }).claim(key, 'fp'));
    now = T0 + 31;
    await expect(store().claim(key, 'other')).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    const fresh = claimed(await store().claim(key, 'fp'));
    await stale.complete({ delivered: 99, failed: 0, stale: 0 });
    expect(warnings).toContain('idempotency claim lost before completion');
    await fresh.complete(RESULT);
    expect(await store().claim(key, 'fp')).toEqual({ outcome: 'replayed', result: RESULT });
  });

  it('forgets a key after its TTL even though dynalite never deletes the item', async () => {
    now = T0;
    const key = scope();
    await claimed(await store({ ttlSeconds: 3600 }).claim(key, 'fp')).complete(RESULT);
    now = T0 + 3600;
    expect((await store().claim(key, 'another body')).outcome).toBe('claimed');
  });

  it('reports DynamoDB failures as StoreUnavailableError', async () => {
    await expect(store({ tableName: 'no-such-table' }).claim(scope(), 'fp')).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});

describe('listing cursors on dynalite', () => {
  const cursors = (ttlSeconds = 900) => createListingCursors({ client, tableName: TABLE, ttlSeconds, clock });
  const binding = { roomId: 'chat-1', callerId: 'api-key:chat-backend' };

  it('hands out a random 24-character id and resolves it back for the same room and caller', async () => {
    now = T0;
    const id = await cursors().save(binding, 'store-position');
    expect(id).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(await cursors().load(id, binding)).toBe('store-position');
  });

  it.each([
    ['another room', { roomId: 'chat-2', callerId: binding.callerId }, 0],
    ['another caller', { roomId: binding.roomId, callerId: 'api-key:lobby' }, 0],
    ['an expired cursor', binding, 901],
  ])('refuses %s', async (_label, other, later) => {
    now = T0;
    const id = await cursors().save(binding, 'p');
    now = T0 + later;
    await expect(cursors().load(id, other)).rejects.toBeInstanceOf(ListingCursorError);
  });

  it('refuses an id it never handed out', async () => {
    await expect(cursors().load('A'.repeat(24), binding)).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
  });
});
