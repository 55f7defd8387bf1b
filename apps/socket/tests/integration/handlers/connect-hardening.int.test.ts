import { randomUUID, type KeyObject } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localClientConfig } from '@roomgate/local-aws';
import type {} from '@roomgate/local-aws/vitest-global-setup';
import { createConnectionStore, type ConnectionStore } from '@roomgate/shared/store';
import { type SigningAlgorithm, type TokenVerifier, createVerifier, staticKeys } from '@roomgate/shared/tokens';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { encodeSegment, forgeHs256WithPublicKey, forgeToken, makeTestKey, unsignedToken, type TestKey } from '@roomgate/shared/testing';
import type { WebSocketConnectEvent } from '../../../src/events.ts';
import { makeConnectHandler } from '../../../src/handlers/connect.ts';
import { admitAll, memoryLogger } from '../../helpers/fakes.ts';

/**
 * Hostile handshakes against the real `$connect` handler: real keys, the real verifier, the real
 * connection store on dynalite. Every refusal is checked in the table itself — no row under the
 * connection id, nobody in the room — not just in the status code.
 */

const NOW = 1_800_000_000;
const clock = () => NOW;
const ISS = 'roomgate';
const AUD = 'roomgate-socket';
const ROOM = `room-${randomUUID().slice(0, 8)}`;
const OTHER_ROOM = `other-${randomUUID().slice(0, 8)}`;

const keys = {} as Record<SigningAlgorithm, TestKey>;
let other: TestKey;
let dynamo: DynamoDBClient;
let store: ConnectionStore;
let verifier: TokenVerifier & { calls: number };

beforeAll(async () => {
  for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) keys[alg] = await makeTestKey(alg);
  other = await makeTestKey('RS256');
  dynamo = new DynamoDBClient(localClientConfig(inject('dynamoEndpoint')));
  store = createConnectionStore({ client: dynamo, tableName: inject('tableName'), clock });
  const real = createVerifier({
    keys: staticKeys([keys.RS256.verification, keys.ES256.verification, keys.EdDSA.verification]),
    issuer: ISS,
    audience: AUD,
    clock,
  });
  verifier = { calls: 0, verify: (token) => ((verifier.calls += 1), real.verify(token)) };
});

afterAll(() => dynamo?.destroy());

const claims = (over: Record<string, unknown> = {}) => ({ sub: ROOM, iat: NOW, exp: NOW + 300, iss: ISS, aud: AUD, jti: 'j1', uid: 'u1', ...over });
const header = (alg: SigningAlgorithm = 'RS256', over: Record<string, unknown> = {}) => ({ alg, typ: 'JWT', kid: keys[alg].signing.kid, ...over });
const sign = (h: Record<string, unknown>, p: unknown, key: KeyObject = keys.RS256.signing.privateKey, alg: SigningAlgorithm = 'RS256') =>
  forgeToken(h, p, key, alg);
const good = (over: Record<string, unknown> = {}) => sign(header(), claims(over));

interface Handshake {
  protocols?: string[];
  query?: Record<string, string>;
  multiQuery?: Record<string, string[]>;
}

function event(connectionId: string, h: Handshake): WebSocketConnectEvent {
  return {
    requestContext: { connectionId, routeKey: '$connect', eventType: 'CONNECT' },
    headers: h.protocols ? { 'Sec-WebSocket-Protocol': h.protocols.join(', ') } : {},
    multiValueHeaders: h.protocols ? { 'Sec-WebSocket-Protocol': [h.protocols.join(', ')] } : {},
    queryStringParameters: h.query ?? (h.multiQuery ? Object.fromEntries(Object.entries(h.multiQuery).map(([k, v]) => [k, v.at(-1)!])) : null),
    multiValueQueryStringParameters: h.multiQuery ?? (h.query ? Object.fromEntries(Object.entries(h.query).map(([k, v]) => [k, [v]])) : null),
  };
}

const viaProtocol = (token: string): Handshake => ({ protocols: ['roomgate.v1', `roomgate.token.${token}`] });
const viaQuery = (token: string): Handshake => ({ query: { token } });

async function connect(h: Handshake) {
  const connectionId = `hostile-${randomUUID()}`;
  const logger = memoryLogger();
  const result = await makeConnectHandler({ admission: admitAll, verifier, store, logger, clock })(event(connectionId, h));
  const body = result.body === undefined ? undefined : (JSON.parse(result.body) as { error: { code: string; message: string } });
  return { connectionId, result, body, logger };
}

async function roomMembers(roomId: string): Promise<string[]> {
  return (await store.listRoom(roomId, { limit: 100 })).members.map((m) => m.connectionId);
}

async function expectRefusedAndNothingWritten(h: Handshake, status: number, code: string): Promise<void> {
  const before = { room: await roomMembers(ROOM), other: await roomMembers(OTHER_ROOM) };
  const { connectionId, result, body, logger } = await connect(h);
  expect(result.statusCode).toBe(status);
  expect(body?.error.code).toBe(code);
  expect(result.headers?.['x-roomgate-error']).toBe(code);
  expect(result.headers?.['Sec-WebSocket-Protocol']).toBeUndefined();
  expect(await store.get(connectionId)).toBeUndefined();
  expect(await roomMembers(ROOM)).toEqual(before.room);
  expect(await roomMembers(OTHER_ROOM)).toEqual(before.other);
  // The refusal is logged with a fingerprint at most, never the credential.
  const logged = JSON.stringify(logger.lines);
  for (const token of [...(h.protocols ?? []), ...Object.values(h.query ?? {}), ...Object.values(h.multiQuery ?? {}).flat()]) {
    if (token.length > 20) expect(logged).not.toContain(token.replace(/^roomgate\.token\./, ''));
  }
}

describe('$connect refuses every bad token of the token-core suite, and writes nothing', () => {
  // The table of packages/shared/tests/unit/tokens/verifier.test.ts ("bad tokens are refused with a code"),
  // here through the handler, both ways a token can arrive.
  const cases: Array<[string, string, () => string]> = [
    ['alg none', 'ERR_TOKEN_INVALID', () => unsignedToken(header(), claims())],
    ['HS256 signed with the public key as secret', 'ERR_TOKEN_INVALID', () => forgeHs256WithPublicKey(header(), claims(), keys.RS256.record.public_key)],
    ["kid of another algorithm's key", 'ERR_TOKEN_INVALID', () => sign(header('RS256', { kid: keys.ES256.signing.kid }), claims())],
    ['unknown kid', 'ERR_TOKEN_INVALID', () => sign(header('RS256', { kid: 'nope' }), claims())],
    ['right kid, signed by another key', 'ERR_TOKEN_INVALID', () => sign(header(), claims(), other.signing.privateKey)],
    ['expired', 'ERR_TOKEN_EXPIRED', () => good({ iat: NOW - 60, exp: NOW - 10 })],
    ['not yet valid (nbf)', 'ERR_TOKEN_NOT_YET_VALID', () => good({ nbf: NOW + 60 })],
    ['issued in the future', 'ERR_TOKEN_NOT_YET_VALID', () => good({ iat: NOW + 60 })],
    ['wrong aud', 'ERR_TOKEN_INVALID', () => good({ aud: 'someone-else' })],
    ['wrong iss', 'ERR_TOKEN_INVALID', () => good({ iss: 'https://evil.test' })],
    ['missing iss', 'ERR_TOKEN_INVALID', () => good({ iss: undefined })],
    ['missing exp', 'ERR_TOKEN_INVALID', () => good({ exp: undefined })],
    ['exp as string', 'ERR_TOKEN_INVALID', () => good({ exp: String(NOW + 60) })],
    ['sub with a slash', 'ERR_TOKEN_INVALID', () => good({ sub: 'a/b' })],
    ['unknown capability', 'ERR_TOKEN_INVALID', () => good({ cap: ['admin'] })],
    ['crit header', 'ERR_TOKEN_INVALID', () => sign(header('RS256', { crit: ['exp'] }), claims())],
    ['typ not JWT', 'ERR_TOKEN_INVALID', () => sign(header('RS256', { typ: 'at+jwt' }), claims())],
    [
      'tampered payload',
      'ERR_TOKEN_INVALID',
      () => {
        const [h, , s] = good().split('.');
        return `${h}.${encodeSegment(claims({ sub: OTHER_ROOM }))}.${s}`;
      },
    ],
    [
      'tampered signature',
      'ERR_TOKEN_INVALID',
      () => {
        const t = good();
        return t.slice(0, -3) + (t.endsWith('AAA') ? 'BBB' : 'AAA');
      },
    ],
    ['signature with a non-alphabet character', 'ERR_TOKEN_INVALID', () => `${good().slice(0, -1)}*`],
    ['truncated', 'ERR_TOKEN_INVALID', () => good().slice(0, 40)],
    ['two segments', 'ERR_TOKEN_INVALID', () => good().split('.').slice(0, 2).join('.')],
    ['four segments', 'ERR_TOKEN_INVALID', () => `${good()}.x`],
    ['oversized', 'ERR_TOKEN_INVALID', () => good({ pad: 'x'.repeat(5000) })],
    [
      'non-JSON header',
      'ERR_TOKEN_INVALID',
      () => {
        const [, p, s] = good().split('.');
        return `${encodeSegment('not json')}.${p}.${s}`;
      },
    ],
    ['non-JSON payload', 'ERR_TOKEN_INVALID', () => sign(header(), 'not json')],
    ['payload a JSON array', 'ERR_TOKEN_INVALID', () => sign(header(), [1, 2])],
    ['legacy (no kid) while compatibility is off', 'ERR_TOKEN_INVALID', () => sign({ typ: 'JWT', alg: 'RS256' }, { sub: ROOM, iat: NOW, exp: NOW + 60 })],
  ];

  it.each(cases)('%s (subprotocol) → 401 %s', async (_name, code, make) => {
    await expectRefusedAndNothingWritten(viaProtocol(make()), 401, code);
  });

  it.each(cases)('%s (?token=) → 401 %s', async (_name, code, make) => {
    await expectRefusedAndNothingWritten(viaQuery(make()), 401, code);
  });
});

describe('$connect refuses hostile handshakes, and writes nothing', () => {
  const cases: Array<[string, number, string, () => Handshake]> = [
    ['an 8 KB validly signed token', 401, 'ERR_TOKEN_INVALID', () => viaProtocol(good({ pad: 'p'.repeat(8 * 1024) }))],
    ['an 8 KB token of garbage', 401, 'ERR_TOKEN_INVALID', () => viaQuery('a'.repeat(8 * 1024))],
    ['a 64 KB token', 401, 'ERR_TOKEN_INVALID', () => viaQuery(`${good()}${'.'.repeat(64 * 1024)}`)],
    ['non-ASCII in the token', 401, 'ERR_TOKEN_INVALID', () => viaQuery(`${good().slice(0, -4)}äöü€`)],
    ['a token of emoji', 401, 'ERR_TOKEN_INVALID', () => viaQuery('🔑.🔑.🔑')],
    ['a validly signed non-ASCII room id', 401, 'ERR_TOKEN_INVALID', () => viaQuery(good({ sub: 'räum-1' }))],
    ['a validly signed non-ASCII user id', 401, 'ERR_TOKEN_INVALID', () => viaQuery(good({ uid: 'ünïcode' }))],
    ['kid with path characters (../../x)', 401, 'ERR_TOKEN_INVALID', () => viaQuery(sign(header('RS256', { kid: '../../x' }), claims()))],
    ['kid naming a file (/etc/passwd)', 401, 'ERR_TOKEN_INVALID', () => viaQuery(sign(header('RS256', { kid: '/etc/passwd' }), claims()))],
    ['kid with a URL', 401, 'ERR_TOKEN_INVALID', () => viaQuery(sign(header('RS256', { kid: 'https://evil.test/jwks.json' }), claims()))],
    [
      'kid that is the real kid with a traversal suffix',
      401,
      'ERR_TOKEN_INVALID',
      () => viaQuery(sign(header('RS256', { kid: `${keys.RS256.signing.kid}/../x` }), claims())),
    ],
    ['kid an object', 401, 'ERR_TOKEN_INVALID', () => viaQuery(sign(header('RS256', { kid: { $ne: null } }), claims()))],
    ['kid 200 characters', 401, 'ERR_TOKEN_INVALID', () => viaQuery(sign(header('RS256', { kid: 'k'.repeat(200) }), claims()))],
    [
      'an embedded jwk (attacker key) with the real kid',
      401,
      'ERR_TOKEN_INVALID',
      () => viaQuery(sign(header('RS256', { jwk: { kty: 'RSA' } }), claims(), other.signing.privateKey)),
    ],
    [
      'a jku pointing elsewhere, signed by another key',
      401,
      'ERR_TOKEN_INVALID',
      () => viaQuery(sign(header('RS256', { jku: 'https://evil.test/jwks.json' }), claims(), other.signing.privateKey)),
    ],
    ['alg spelled differently (rs256)', 401, 'ERR_TOKEN_INVALID', () => viaQuery(sign(header('RS256', { alg: 'rs256' }), claims()))],
    ['ES256 kid but RS256 signature', 401, 'ERR_TOKEN_INVALID', () => viaQuery(sign(header('ES256', { alg: 'RS256' }), claims()))],
    ['a valid token for room A with ?room=B', 403, 'ERR_ROOM_FORBIDDEN', () => ({ query: { token: good(), room: OTHER_ROOM } })],
    ['a valid token for room A with ?room=B (subprotocol)', 403, 'ERR_ROOM_FORBIDDEN', () => ({ ...viaProtocol(good()), query: { room: OTHER_ROOM } })],
    ['a valid publish-only token', 403, 'ERR_CAPABILITY_FORBIDDEN', () => viaQuery(good({ cap: ['publish'] }))],
    ['a valid token in a token subprotocol without roomgate.v1', 400, 'ERR_VALIDATION', () => ({ protocols: [`roomgate.token.${good()}`] })],
    [
      'two token subprotocols (forged, then valid)',
      400,
      'ERR_VALIDATION',
      () => ({ protocols: ['roomgate.v1', `roomgate.token.${good({ exp: NOW - 10 })}`, `roomgate.token.${good()}`] }),
    ],
    [
      'duplicated ?token= (forged, then valid)',
      400,
      'ERR_VALIDATION',
      () => ({ multiQuery: { token: [sign(header(), claims(), other.signing.privateKey), good()] } }),
    ],
    ['duplicated ?token= (valid for another room, then valid)', 400, 'ERR_VALIDATION', () => ({ multiQuery: { token: [good({ sub: OTHER_ROOM }), good()] } })],
    ['duplicated ?room= (the token’s room last)', 400, 'ERR_VALIDATION', () => ({ multiQuery: { token: [good()], room: [OTHER_ROOM, ROOM] } })],
    ['no token, only roomgate.v1', 401, 'ERR_TOKEN_MISSING', () => ({ protocols: ['roomgate.v1'] })],
    ['an empty ?token=', 401, 'ERR_TOKEN_MISSING', () => viaQuery('')],
  ];

  it.each(cases)('%s → %i %s', async (_name, status, code, make) => {
    await expectRefusedAndNothingWritten(make(), status, code);
  });
});

describe('$connect holds every claim to its range: 401 ERR_TOKEN_INVALID, a warn line with the reason, nothing stored', () => {
  // Before the claim policy, `exp = 1e300` was admitted by the verifier and failed in DynamoDB
  // (503 ERR_STORE_UNAVAILABLE, an error-level line); a ten-year token was simply admitted.
  it.each([
    ['exp = 1e300', () => good({ exp: 1e300 }), /exp is not an integer/],
    ['exp ten years ahead', () => good({ exp: NOW + 10 * 365 * 86_400 }), /lifetime/],
    ['exp ten years ahead, no iat', () => good({ iat: undefined, exp: NOW + 10 * 365 * 86_400 }), /lifetime/],
    ['nbf = -1e300', () => good({ nbf: -1e300 }), /nbf/],
    ['a 129-character jti', () => good({ jti: 'j'.repeat(129) }), /jti/],
  ])('%s', async (_name, make, reason) => {
    const h = viaQuery(make());
    await expectRefusedAndNothingWritten(h, 401, 'ERR_TOKEN_INVALID');
    const { logger } = await connect(h);
    const refusal = logger.lines.find((line) => line.msg === 'connect refused');
    expect(refusal).toMatchObject({ level: 'warn', fields: { code: 'ERR_TOKEN_INVALID' } });
    expect(String(refusal?.fields.reason)).toMatch(reason);
  });
});

describe('a token in both the subprotocol and ?token=: they must be the same token', () => {
  it.each([
    ['expired subprotocol + valid query token', () => ({ ...viaProtocol(good({ exp: NOW - 10 })), query: { token: good() } })],
    ['valid subprotocol (room A) + valid query token (room B)', () => ({ ...viaProtocol(good()), query: { token: good({ sub: OTHER_ROOM }) } })],
    ['valid subprotocol + garbage query token', () => ({ ...viaProtocol(good()), query: { token: 'garbage' } })],
  ])('%s → 400 ERR_VALIDATION before either token is verified, nothing written', async (_name, make) => {
    const calls = verifier.calls;
    await expectRefusedAndNothingWritten(make(), 400, 'ERR_VALIDATION');
    expect(verifier.calls - calls).toBe(0);
    expect(await roomMembers(OTHER_ROOM)).toEqual([]);
  });

  it('the same token both ways (IAM mode: signed ?token= plus the subprotocol) → admitted once', async () => {
    const token = good();
    const { connectionId, result } = await connect({ ...viaProtocol(token), query: { token } });
    expect(result).toEqual({ statusCode: 200, headers: { 'Sec-WebSocket-Protocol': 'roomgate.v1' } });
    expect((await store.get(connectionId))?.roomId).toBe(ROOM);
    await store.delete(connectionId);
  });
});

describe('$connect never overwrites a live connection', () => {
  it("a second $connect with a live connection id and another room's token → 409, the row untouched", async () => {
    // Before the fix the unconditional PutItem moved the live socket into the other room with the
    // other token's capabilities.
    const first = await connect(viaProtocol(good({ cap: ['subscribe'] })));
    expect(first.result.statusCode).toBe(200);
    const before = await store.get(first.connectionId);
    const logger = memoryLogger();
    const replay = event(first.connectionId, viaQuery(good({ sub: OTHER_ROOM, uid: 'mallory', cap: ['subscribe', 'publish'] })));
    const result = await makeConnectHandler({ admission: admitAll, verifier, store, logger, clock })(replay);
    expect(result.statusCode).toBe(409);
    expect(result.headers?.['x-roomgate-error']).toBe('ERR_CONNECTION_EXISTS');
    expect(await store.get(first.connectionId)).toEqual(before);
    expect(await roomMembers(OTHER_ROOM)).not.toContain(first.connectionId);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: 'connect refused', fields: expect.objectContaining({ code: 'ERR_CONNECTION_EXISTS' }) }),
    );
    await store.delete(first.connectionId);
  });
});

describe('controls: the same fixtures admit a good token', () => {
  it.each([
    ['RS256 via subprotocol', () => viaProtocol(good())],
    ['ES256 via ?token=', () => viaQuery(sign(header('ES256'), claims(), keys.ES256.signing.privateKey, 'ES256'))],
    ['EdDSA with a matching ?room=', () => ({ query: { token: sign(header('EdDSA'), claims(), keys.EdDSA.signing.privateKey, 'EdDSA'), room: ROOM } })],
  ])('%s → 200 and exactly one row', async (_name, make) => {
    const { connectionId, result } = await connect(make());
    expect(result.statusCode).toBe(200);
    const row = await store.get(connectionId);
    expect(row).toMatchObject({ connectionId, roomId: ROOM, userId: 'u1', tokenExpiresAt: NOW + 300 });
    expect(await roomMembers(ROOM)).toContain(connectionId);
    await store.delete(connectionId);
  });
});
