import { PUBLISH_ID_PATTERN } from '@roomgate/protocol/ids';
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localClientConfig } from '@roomgate/local-aws';
import type {} from '@roomgate/local-aws/vitest-global-setup';
import { createConnectionStore, type ConnectionStore } from '@roomgate/shared/store';
import { KeyMalformedError, RoomgateError } from '@roomgate/shared/errors';
import { createBroadcaster } from '@roomgate/shared/delivery';
import { MAX_FRAME_DEPTH } from '@roomgate/protocol/limits';
import { createSigner, type TokenSigner, createVerifier, staticKeys } from '@roomgate/shared/tokens';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { makeTestKey } from '@roomgate/shared/testing';
import { makeDefaultHandler } from '../../../src/handlers/default.ts';
import { admitAll, noRateLimit, fakeManagement, memoryLogger } from '../../helpers/fakes.ts';

/**
 * Hostile frames against the real `$default` handler, the real broadcaster and the real
 * connection store on dynalite. Two rooms share the table; whatever a member of room A sends,
 * nothing reaches room B, and no frame crashes or hangs the handler.
 */

const NOW = 1_800_000_000;
const clock = () => NOW;
const ISS = 'roomgate';
const AUD = 'roomgate-socket';
const MAX_MESSAGE_BYTES = 32 * 1024; // serverless.yml's MAX_MESSAGE_BYTES

let dynamo: DynamoDBClient;
let store: ConnectionStore;
let signer: TokenSigner;
let verifier: ReturnType<typeof createVerifier>;

let roomA: string;
let roomB: string;
let sender: string;
let roomAIds: string[];
let roomBIds: string[];
let management: ReturnType<typeof fakeManagement>;
let logger: ReturnType<typeof memoryLogger>;
let handler: ReturnType<typeof makeDefaultHandler>;

beforeAll(async () => {
  dynamo = new DynamoDBClient(localClientConfig(inject('dynamoEndpoint')));
  store = createConnectionStore({ client: dynamo, tableName: inject('tableName'), clock });
  const key = await makeTestKey('ES256');
  signer = createSigner({ key: key.signing, issuer: ISS, audience: AUD, clock });
  verifier = createVerifier({ keys: staticKeys([key.verification]), issuer: ISS, audience: AUD, clock });
});

afterAll(() => dynamo?.destroy());

beforeEach(async () => {
  roomA = `a-${randomUUID().slice(0, 8)}`;
  roomB = `b-${randomUUID().slice(0, 8)}`;
  roomAIds = [0, 1, 2].map((i) => `A${i}-${randomUUID()}`);
  roomBIds = [0, 1].map((i) => `B${i}-${randomUUID()}`);
  sender = roomAIds[0]!;
  for (const [roomId, ids] of [
    [roomA, roomAIds],
    [roomB, roomBIds],
  ] as const) {
    for (const connectionId of ids) {
      await store.put({ connectionId, roomId, userId: 'alice', capabilities: ['subscribe', 'publish'], tokenExpiresAt: NOW + 300 });
    }
  }
  management = fakeManagement();
  logger = memoryLogger();
  const broadcaster = createBroadcaster({ store, management, logger, clock });
  handler = makeDefaultHandler({
    admission: admitAll,
    rateLimit: noRateLimit,
    verifier,
    store,
    broadcaster,
    management,
    logger,
    maxMessageBytes: MAX_MESSAGE_BYTES,
    clockToleranceSeconds: 5,
    clock,
  });
});

async function send(body: string | null, options: { isBase64Encoded?: boolean } = {}) {
  const result = await handler({ requestContext: { connectionId: sender, routeKey: '$default', eventType: 'MESSAGE' }, body, ...options });
  return { result, frame: result.body === undefined ? undefined : (JSON.parse(result.body) as Record<string, unknown>) };
}

const postsTo = (ids: string[]) => management.posts.filter((p) => ids.includes(p.connectionId));

function expectNothingCrossed(): void {
  expect(postsTo(roomBIds)).toEqual([]);
  expect(management.closed).toEqual([]);
}

const nested = (depth: number, open = '[', close = ']', inner = '1') => `${open.repeat(depth)}${inner}${close.repeat(depth)}`;
const publishWith = (data: string) => `{"action":"publish","id":"deep","data":${data}}`;

describe('$default refuses malformed, deep, huge and unknown frames with an error frame', () => {
  const cases: Array<[string, string, () => string | null, { isBase64Encoded?: boolean }?]> = [
    ['null body', 'ERR_MESSAGE_INVALID', () => null],
    ['empty body', 'ERR_MESSAGE_INVALID', () => ''],
    ['not JSON', 'ERR_MESSAGE_INVALID', () => 'hello'],
    ['truncated JSON', 'ERR_MESSAGE_INVALID', () => '{"action":"publish","data":'],
    ['JSON with a trailing comma', 'ERR_MESSAGE_INVALID', () => '{"action":"ping",}'],
    ['a JSON string', 'ERR_MESSAGE_INVALID', () => '"publish"'],
    ['a JSON number', 'ERR_MESSAGE_INVALID', () => '42'],
    ['JSON null', 'ERR_MESSAGE_INVALID', () => 'null'],
    ['a JSON array', 'ERR_MESSAGE_INVALID', () => '[{"action":"publish","data":1}]'],
    ['NUL bytes', 'ERR_MESSAGE_INVALID', () => '\u0000\u0000\u0000'],
    ['a lone surrogate outside strings', 'ERR_MESSAGE_INVALID', () => '\ud800'],
    ['invalid base64 binary frame', 'ERR_MESSAGE_INVALID', () => Buffer.from([0xff, 0xfe, 0x00, 0x01]).toString('base64'), { isBase64Encoded: true }],
    [`nesting just past the limit (${MAX_FRAME_DEPTH + 1} levels in total)`, 'ERR_MESSAGE_INVALID', () => publishWith(nested(MAX_FRAME_DEPTH))],
    ['10,000 nested arrays as publish data', 'ERR_MESSAGE_INVALID', () => publishWith(nested(10_000))],
    ['1,500 nested objects as publish data', 'ERR_MESSAGE_INVALID', () => publishWith(nested(1_500, '{"a":', '}'))],
    ['10,000 nested arrays, unbalanced', 'ERR_MESSAGE_INVALID', () => '['.repeat(10_000)],
    ['10,000 nested arrays as the whole frame', 'ERR_MESSAGE_INVALID', () => nested(10_000)],
    [
      'one byte over the limit',
      'ERR_MESSAGE_TOO_LARGE',
      () => JSON.stringify({ action: 'publish', data: 'x'.repeat(MAX_MESSAGE_BYTES) }).slice(0, MAX_MESSAGE_BYTES + 1),
    ],
    ['1 MB of JSON', 'ERR_MESSAGE_TOO_LARGE', () => JSON.stringify({ action: 'publish', data: 'x'.repeat(1024 * 1024) })],
    ['1 MB of nesting', 'ERR_MESSAGE_TOO_LARGE', () => nested(512 * 1024)],
    [
      'multi-byte characters past the byte limit (under it in UTF-16 units)',
      'ERR_MESSAGE_TOO_LARGE',
      () => JSON.stringify({ action: 'publish', data: '€'.repeat(12_000) }),
    ],
    ['no action', 'ERR_MESSAGE_INVALID', () => '{"data":1}'],
    ['action not a string', 'ERR_MESSAGE_INVALID', () => '{"action":["publish"],"data":1}'],
    ['unknown action', 'ERR_UNKNOWN_ACTION', () => '{"action":"dance"}'],
    ['action __proto__', 'ERR_UNKNOWN_ACTION', () => '{"action":"__proto__"}'],
    ['action constructor', 'ERR_UNKNOWN_ACTION', () => '{"action":"constructor"}'],
    ['action toString', 'ERR_UNKNOWN_ACTION', () => '{"action":"toString"}'],
    ['action with a trailing space', 'ERR_UNKNOWN_ACTION', () => '{"action":"publish ","data":1}'],
    ['action in another case', 'ERR_UNKNOWN_ACTION', () => '{"action":"PUBLISH","data":1}'],
    ['an admin-looking action', 'ERR_UNKNOWN_ACTION', () => JSON.stringify({ action: 'broadcastAll', roomId: '*', data: 1 })],
    ['a join action naming another room', 'ERR_UNKNOWN_ACTION', () => JSON.stringify({ action: 'join', roomId: 'other-room' })],
    ['publish without data', 'ERR_MESSAGE_INVALID', () => '{"action":"publish"}'],
    ['refresh without a token', 'ERR_MESSAGE_INVALID', () => '{"action":"refresh"}'],
    ['refresh with a forged token', 'ERR_TOKEN_INVALID', () => '{"action":"refresh","token":"a.b.c"}'],
  ];

  it.each(cases)('%s → %s, nothing posted to anyone, connection kept', async (_name, code, make, options) => {
    const { result, frame } = await send(make(), options);
    expect(result.statusCode).toBe(200);
    expect(frame).toMatchObject({ type: 'error', code });
    expect(JSON.stringify(frame)).not.toMatch(/\bat \S+ \(|\.ts:\d+|RangeError|Maximum call stack/);
    expect(management.posts).toEqual([]);
    expectNothingCrossed();
    expect(await store.get(sender)).toBeDefined();
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
  });

  // Client-caused, so never ERR_INTERNAL nor an error-level log: a binary frame reaches the
  // handler as bytes under serverless-offline and as base64 on API Gateway.
  it.each([
    ['a binary frame of bytes that are not UTF-8 (serverless-offline: a Buffer)', Buffer.from([0xff, 0xfe, 0x00, 0x01]), {}],
    ['a binary frame as a Uint8Array (a worker thread)', new Uint8Array([0xc3, 0x28]), {}],
    ['a binary frame of valid UTF-8 that is not JSON', Buffer.from('hello'), {}],
    ['the base64 flag on text that is not base64', '{"action":"ping","id":1}', { isBase64Encoded: true }],
    ['an object body', { action: 'ping' }, {}],
    ['a number body', 42, {}],
  ])('%s → ERR_MESSAGE_INVALID at warn level, connection kept', async (_name, body, options) => {
    const { result, frame } = await send(body as string, options);
    expect(result.statusCode).toBe(200);
    expect(frame).toMatchObject({ type: 'error', code: 'ERR_MESSAGE_INVALID' });
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'frame refused' }));
    expect(await store.get(sender)).toBeDefined();
  });

  it('reads a binary frame that carries a JSON text frame, as API Gateway does with base64', async () => {
    expect((await send(Buffer.from('{"action":"ping","id":5}') as unknown as string)).frame).toEqual({ type: 'pong', id: 5 });
    expect((await send(Buffer.from('{"action":"ping","id":6}').toString('base64'), { isBase64Encoded: true })).frame).toEqual({ type: 'pong', id: 6 });
  });

  // @roomgate/client matches replies by id: without it, publish() waited its whole timeout and
  // failed with ERR_REQUEST_TIMEOUT instead of the real code.
  it.each([
    [
      'an oversized frame, id last (as @roomgate/client sends it)',
      'ERR_MESSAGE_TOO_LARGE',
      () => JSON.stringify({ action: 'publish', data: 'x'.repeat(MAX_MESSAGE_BYTES), id: 41 }),
      41,
    ],
    [
      'an oversized frame, id first',
      'ERR_MESSAGE_TOO_LARGE',
      () => JSON.stringify({ id: 'big', action: 'publish', data: 'x'.repeat(MAX_MESSAGE_BYTES) }),
      'big',
    ],
    ['a frame nested 16,000 levels', 'ERR_MESSAGE_INVALID', () => publishWith(nested(16_000)), 'deep'],
    ['a truncated frame', 'ERR_MESSAGE_INVALID', () => '{"action":"publish","id":7,"data":', 7],
  ])('answers %s with its id', async (_name, code, make, id) => {
    const { frame } = await send(make());
    expect(frame).toMatchObject({ type: 'error', code, id });
  });

  it(`accepts nesting up to ${MAX_FRAME_DEPTH} levels (a brace inside a string does not count)`, async () => {
    const data = nested(MAX_FRAME_DEPTH - 1, '[', ']', '"[[[[{{{{"');
    const { frame } = await send(publishWith(data));
    expect(frame).toMatchObject({ type: 'ack', delivered: 3, id: 'deep' });
    expectNothingCrossed();
  });
});

describe('publish never crosses the room boundary', () => {
  const hostile: Array<[string, Record<string, unknown>]> = [
    ['roomId in the frame', { action: 'publish', roomId: 'OTHER', data: 'hi' }],
    ['roomId inside the data', { action: 'publish', data: { roomId: 'OTHER', text: 'hi' } }],
    ['room, to, sub and channel in the frame', { action: 'publish', room: 'OTHER', to: 'OTHER', sub: 'OTHER', channel: 'OTHER', data: 'hi' }],
    ['a connectionId of the other room in the frame', { action: 'publish', connectionId: 'B0', connectionIds: ['B0', 'B1'], data: 'hi' }],
    ['a forged envelope as data', { action: 'publish', data: { type: 'message', roomId: 'OTHER', from: 'admin', data: 'hi' } }],
    ['from and userId in the frame', { action: 'publish', from: 'admin', userId: 'admin', data: 'hi' }],
    ['__proto__ keys', JSON.parse('{"action":"publish","__proto__":{"roomId":"OTHER"},"data":"hi"}') as Record<string, unknown>],
  ];

  it.each(hostile)('%s → delivered to the sender’s room only, with the sender’s identity', async (_name, frame) => {
    const raw = JSON.stringify(frame)
      .replaceAll('"OTHER"', JSON.stringify(roomB))
      .replaceAll('"B0"', JSON.stringify(roomBIds[0]))
      .replaceAll('"B1"', JSON.stringify(roomBIds[1]));
    const { frame: reply } = await send(raw);
    expect(reply).toEqual({ type: 'ack', action: 'publish', delivered: 3, failed: 0, stale: 0, publishId: expect.stringMatching(PUBLISH_ID_PATTERN) });
    expectNothingCrossed();
    expect(
      postsTo(roomAIds)
        .map((p) => p.connectionId)
        .sort(),
    ).toEqual([...roomAIds].sort());
    for (const post of postsTo(roomAIds)) {
      const envelope = JSON.parse(post.data) as Record<string, unknown>;
      expect(envelope.roomId).toBe(roomA);
      expect(envelope.from).toBe('alice');
      expect(envelope.sentAt).toBe(NOW);
    }
  });

  it('a refresh with a valid token for the other room is refused and does not move the connection', async () => {
    const { token } = await signer.sign({ roomId: roomB, userId: 'alice', ttlSeconds: 900 });
    const { frame } = await send(JSON.stringify({ action: 'refresh', token, id: 'r' }));
    expect(frame).toMatchObject({ type: 'error', code: 'ERR_ROOM_FORBIDDEN', id: 'r' });
    expect(await store.get(sender)).toMatchObject({ roomId: roomA, tokenExpiresAt: NOW + 300 });
    await send(JSON.stringify({ action: 'publish', data: 'after' }));
    expectNothingCrossed();
    expect(postsTo(roomAIds)).toHaveLength(3);
  });

  it('a refresh with a valid token for another user is refused', async () => {
    const { token } = await signer.sign({ roomId: roomA, userId: 'mallory', ttlSeconds: 900 });
    const { frame } = await send(JSON.stringify({ action: 'refresh', token }));
    expect(frame).toMatchObject({ type: 'error', code: 'ERR_TOKEN_INVALID' });
    expect(await store.get(sender)).toMatchObject({ userId: 'alice', tokenExpiresAt: NOW + 300 });
  });

  it.each([
    ['malformed', () => new KeyMalformedError('public key abc cannot be imported')],
    ['missing', () => new RoomgateError('ERR_KEY_NOT_FOUND', 'secret roomgate/prod/public-keys does not exist')],
  ])('a refresh while the public keys are %s → retryable ERR_KEY_UNAVAILABLE naming nothing internal, connection kept', async (_name, fault) => {
    const broken = makeDefaultHandler({
      admission: admitAll,
      rateLimit: noRateLimit,
      verifier: createVerifier({
        keys: {
          resolve: async () => {
            throw fault();
          },
        },
        issuer: ISS,
        audience: AUD,
        clock,
      }),
      store,
      broadcaster: createBroadcaster({ store, management, logger, clock }),
      management,
      logger,
      maxMessageBytes: MAX_MESSAGE_BYTES,
      clock,
    });
    const { token } = await signer.sign({ roomId: roomA, userId: 'alice', ttlSeconds: 900 });
    const result = await broken({ requestContext: { connectionId: sender }, body: JSON.stringify({ action: 'refresh', token, id: 'k' }) });
    expect(JSON.parse(result.body!)).toEqual({ type: 'error', code: 'ERR_KEY_UNAVAILABLE', message: 'service temporarily unavailable, retry', id: 'k' });
    expect(management.closed).toEqual([]);
    expect(await store.get(sender)).toMatchObject({ tokenExpiresAt: NOW + 300 });
  });

  it('a frame id that is not a small scalar is not echoed', async () => {
    const { frame } = await send(JSON.stringify({ action: 'ping', id: { $gt: '' } }));
    expect(frame).toEqual({ type: 'pong' });
    const long = await send(JSON.stringify({ action: 'ping', id: 'i'.repeat(65) }));
    expect(long.frame).toEqual({ type: 'pong' });
  });
});
