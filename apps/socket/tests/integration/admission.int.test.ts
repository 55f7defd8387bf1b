import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localClientConfig } from '@roomgate/local-aws';
import type {} from '@roomgate/local-aws/vitest-global-setup';
import { createAccessStore, type AccessStore } from '@roomgate/shared/access';
import { createConnectionStore, type ConnectionStore } from '@roomgate/shared/store';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAdmission } from '../../src/admission/admission.ts';
import { createPublishRateLimit } from '../../src/admission/rate-limit.ts';
import type { WebSocketConnectEvent, WebSocketMessageEvent } from '../../src/events.ts';
import { makeConnectHandler } from '../../src/handlers/connect.ts';
import { makeDefaultHandler } from '../../src/handlers/default.ts';
import { NOW, fakeManagement, fakeVerifier, grant, memoryLogger } from '../helpers/fakes.ts';

/** `$connect` and `$default` with the real access and connection stores on dynalite. */
let dynamo: DynamoDBClient;
let access: AccessStore;
let store: ConnectionStore;

beforeAll(() => {
  dynamo = new DynamoDBClient(localClientConfig(inject('dynamoEndpoint')));
  access = createAccessStore({ client: dynamo, tableName: inject('accessTableName'), clock: () => NOW });
  store = createConnectionStore({ client: dynamo, tableName: inject('tableName'), clock: () => NOW });
});
afterAll(() => dynamo.destroy());

const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
const connectEvent = (connectionId: string, token: string): WebSocketConnectEvent => ({
  requestContext: { connectionId, routeKey: '$connect', eventType: 'CONNECT' },
  headers: { 'Sec-WebSocket-Protocol': `roomgate.v1, roomgate.token.${token}` },
});
const frameEvent = (connectionId: string, body: unknown): WebSocketMessageEvent => ({
  requestContext: { connectionId, routeKey: '$default', eventType: 'MESSAGE' },
  body: JSON.stringify(body),
});

function connectHandler(tokens: Parameters<typeof fakeVerifier>[0], maxConnectionsPerUser = 0) {
  const admission = createAdmission({ access, store, maxConnectionsPerUser });
  return makeConnectHandler({ verifier: fakeVerifier(tokens), store, admission, logger: memoryLogger(), clock: () => NOW });
}

describe('$connect admission against dynalite', () => {
  it('refuses a banned user (403 ERR_USER_BANNED) and leaves no row; an expired ban does not count', async () => {
    const roomId = unique('room');
    const userId = unique('user');
    const handler = connectHandler({ t: grant({ roomId, userId }) });
    await access.putBan({ roomId, userId, bannedUntil: NOW - 1, createdAt: NOW - 100 });
    const open = unique('conn');
    expect((await handler(connectEvent(open, 't'))).statusCode).toBe(200);
    await access.putBan({ roomId, userId, bannedUntil: NOW + 60, createdAt: NOW });
    const banned = unique('conn');
    const result = await handler(connectEvent(banned, 't'));
    expect(result).toMatchObject({ statusCode: 403, headers: { 'x-roomgate-error': 'ERR_USER_BANNED' } });
    expect(await store.get(banned)).toBeUndefined();
    // The ban is per room: the same user elsewhere is admitted.
    const other = connectHandler({ t: grant({ roomId: unique('room'), userId }) });
    expect((await other(connectEvent(unique('conn'), 't'))).statusCode).toBe(200);
  });

  it.each([
    [
      'by jti',
      (userId: string, roomId: string) =>
        access.revokeToken('jti-revoked', NOW + 600).then(() => ({ userId, roomId, tokenId: 'jti-revoked', issuedAt: NOW - 10 })),
    ],
    [
      'by user, every room',
      (userId: string, roomId: string) =>
        access.revokeUser({ userId, issuedBefore: NOW, expiresAt: NOW + 3600 }).then(() => ({ userId, roomId, issuedAt: NOW - 10 })),
    ],
    [
      'by user, this room',
      (userId: string, roomId: string) =>
        access.revokeUser({ userId, roomId, issuedBefore: NOW, expiresAt: NOW + 3600 }).then(() => ({ userId, roomId, issuedAt: NOW - 10 })),
    ],
  ])('refuses a revoked token (%s): 401 ERR_TOKEN_REVOKED', async (_name, revoke) => {
    const roomId = unique('room');
    const userId = unique('user');
    const claims = await revoke(userId, roomId);
    const handler = connectHandler({ t: grant(claims), fresh: grant({ ...claims, tokenId: unique('jti'), issuedAt: NOW }) });
    expect(await handler(connectEvent(unique('conn'), 't'))).toMatchObject({ statusCode: 401, headers: { 'x-roomgate-error': 'ERR_TOKEN_REVOKED' } });
    // A token issued at or after issuedBefore (and with another jti) is not covered.
    expect((await handler(connectEvent(unique('conn'), 'fresh'))).statusCode).toBe(200);
  });

  it('a user revocation is never narrowed by a later one with an earlier issuedBefore', async () => {
    const userId = unique('user');
    await access.revokeUser({ userId, issuedBefore: NOW, expiresAt: NOW + 3600 });
    await access.revokeUser({ userId, issuedBefore: NOW - 100, expiresAt: NOW + 3500 });
    await expect(access.assertAdmitted({ roomId: 'r', userId, issuedAt: NOW - 50 })).rejects.toMatchObject({ code: 'ERR_TOKEN_REVOKED' });
  });

  it('single-use: of two racing $connects with one token exactly one is admitted; the loser gets 401 ERR_TOKEN_REUSED and no row', async () => {
    for (let round = 0; round < 5; round += 1) {
      const handler = connectHandler({ once: grant({ roomId: unique('room'), tokenId: unique('jti'), singleUse: true }) });
      const ids = [unique('conn'), unique('conn')];
      const results = await Promise.all(ids.map((id) => handler(connectEvent(id, 'once'))));
      expect(results.map((r) => r.statusCode).sort()).toEqual([200, 401]);
      const loser = ids[results.findIndex((r) => r.statusCode === 401)]!;
      expect(results.find((r) => r.statusCode === 401)?.headers?.['x-roomgate-error']).toBe('ERR_TOKEN_REUSED');
      expect(await store.get(loser)).toBeUndefined();
    }
  });

  it('a token that is not single-use connects any number of times', async () => {
    const handler = connectHandler({ many: grant({ roomId: unique('room'), tokenId: unique('jti') }) });
    const results = await Promise.all([1, 2, 3].map(() => handler(connectEvent(unique('conn'), 'many'))));
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200]);
  });

  it('the per-user cap refuses the extra connection with 429 ERR_TOO_MANY_CONNECTIONS', async () => {
    const roomId = unique('room');
    const handler = connectHandler({ t: grant({ roomId, userId: unique('user') }) }, 2);
    expect((await handler(connectEvent(unique('conn'), 't'))).statusCode).toBe(200);
    expect((await handler(connectEvent(unique('conn'), 't'))).statusCode).toBe(200);
    expect(await handler(connectEvent(unique('conn'), 't'))).toMatchObject({ statusCode: 429, headers: { 'x-roomgate-error': 'ERR_TOO_MANY_CONNECTIONS' } });
  });

  it('the row remembers the token’s jti and iat, so a revocation can find the connection', async () => {
    const connectionId = unique('conn');
    const userId = unique('user');
    const tokenId = unique('jti');
    await connectHandler({ t: grant({ userId, tokenId }) })(connectEvent(connectionId, 't'));
    expect(await store.get(connectionId)).toMatchObject({ tokenId, tokenIssuedAt: NOW - 10 });
    const byToken = [];
    for await (const holder of store.tokenConnections(tokenId)) byToken.push(holder.connectionId);
    expect(byToken).toEqual([connectionId]);
  });
});

describe('$default: refresh checks, publish rate limit (real rows)', () => {
  async function connected(userId: string, roomId: string) {
    const connectionId = unique('conn');
    await store.put({ connectionId, roomId, userId, capabilities: ['subscribe', 'publish'], tokenExpiresAt: NOW + 300 });
    return connectionId;
  }

  function defaultHandler(tokens: Parameters<typeof fakeVerifier>[0], nowMs: () => number = () => NOW * 1000, burst = 3) {
    const management = fakeManagement();
    const handler = makeDefaultHandler({
      verifier: fakeVerifier(tokens),
      store,
      broadcaster: { broadcast: async () => ({ delivered: 1, failed: 0, stale: 0 }) },
      management,
      admission: createAdmission({ access, store, maxConnectionsPerUser: 0 }),
      rateLimit: createPublishRateLimit({ store, ratePerSecond: 10, burst, now: nowMs }),
      logger: memoryLogger(),
      maxMessageBytes: 32 * 1024,
      clock: () => NOW,
    });
    return { handler, management };
  }

  it('a refresh by a banned user closes the connection with ERR_USER_BANNED', async () => {
    const roomId = unique('room');
    const userId = unique('user');
    const connectionId = await connected(userId, roomId);
    await access.putBan({ roomId, userId, bannedUntil: NOW + 60, createdAt: NOW });
    const { handler, management } = defaultHandler({ fresh: grant({ roomId, userId }) });
    await handler(frameEvent(connectionId, { action: 'refresh', token: 'fresh', id: 'r1' }));
    expect(JSON.parse(management.posts[0]!.data)).toMatchObject({ type: 'error', code: 'ERR_USER_BANNED', id: 'r1' });
    expect(management.closed).toEqual([connectionId]);
    expect(await store.get(connectionId)).toBeUndefined();
  });

  // Blind test, issue 15: a single-use token could refresh any number of live connections.
  it('a single-use token is spent by a refresh too: a second refresh with it gets ERR_TOKEN_REUSED', async () => {
    const roomId = unique('room');
    const userId = unique('user');
    const [first, second] = [await connected(userId, roomId), await connected(userId, roomId)];
    const { handler } = defaultHandler({ once: grant({ roomId, userId, tokenId: unique('jti'), singleUse: true }) });
    const refreshed = JSON.parse((await handler(frameEvent(first, { action: 'refresh', token: 'once', id: 'r1' }))).body!);
    expect(refreshed).toMatchObject({ type: 'refreshed', id: 'r1' });
    const reused = JSON.parse((await handler(frameEvent(second, { action: 'refresh', token: 'once', id: 'r2' }))).body!);
    expect(reused).toMatchObject({ type: 'error', code: 'ERR_TOKEN_REUSED', id: 'r2' });
  });

  it('publishes beyond the bucket get ERR_RATE_LIMITED with the frame id; the bucket refills with time', async () => {
    const connectionId = await connected(unique('user'), unique('room'));
    let nowMs = NOW * 1000;
    const { handler } = defaultHandler({}, () => nowMs);
    const replies = [];
    for (let i = 0; i < 5; i += 1) replies.push(JSON.parse((await handler(frameEvent(connectionId, { action: 'publish', data: i, id: `p${i}` }))).body!));
    expect(replies.map((r) => r.type)).toEqual(['ack', 'ack', 'ack', 'error', 'error']);
    expect(replies[3]).toMatchObject({ code: 'ERR_RATE_LIMITED', id: 'p3' });
    nowMs += 100; // one token at 10/s
    expect(JSON.parse((await handler(frameEvent(connectionId, { action: 'publish', data: 'x', id: 'later' }))).body!)).toMatchObject({
      type: 'ack',
      id: 'later',
    });
  });

  // Blind test, issue 15: with 3 attempts, frames that merely lost the bucket's conditional write
  // to each other were refused though the bucket had room (8 at once, burst 20: 5 acks + 3 refusals).
  it('concurrent publishes within the bucket are all admitted', async () => {
    const connectionId = await connected(unique('user'), unique('room'));
    const { handler } = defaultHandler({}, () => NOW * 1000, 20);
    const replies = await Promise.all(Array.from({ length: 8 }, (_, i) => handler(frameEvent(connectionId, { action: 'publish', data: i, id: `p${i}` }))));
    expect(replies.map((r) => JSON.parse(r.body!).type)).toEqual(Array(8).fill('ack'));
  });

  it('concurrent publishes from one connection never spend more than the bucket holds', async () => {
    const connectionId = await connected(unique('user'), unique('room'));
    const { handler } = defaultHandler({});
    const replies = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => handler(frameEvent(connectionId, { action: 'publish', data: i, id: `p${i}` }))));
    const acks = replies.filter((r) => JSON.parse(r.body!).type === 'ack');
    expect(acks.length).toBeLessThanOrEqual(3);
  });
});
