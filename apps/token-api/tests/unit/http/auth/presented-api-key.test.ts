import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presentedApiKey } from '../../../../src/http/auth/presented-api-key.ts';
import { createLambdaHandler, type LambdaHandler } from '../../../../src/http/lambda-handler.ts';
import { CHAT_KEY, LOBBY_KEY, makeTestKey, testApp } from '../../../helpers/fixtures.ts';
import { httpApiEvent, lambdaContext } from '../../../helpers/http-api-event.ts';
import { roomsTestApp } from '../../../helpers/rooms-fakes.ts';

const BAD_KEY = 'rgk_not_a_known_key_0000000000000000';
const SIGV4 = 'AWS4-HMAC-SHA256 Credential=AKIA/20270115/eu-west-1/execute-api/aws4_request, SignedHeaders=host, Signature=00';

/** `[name, value, name, value, …]` as Node's `IncomingMessage.rawHeaders`. */
const raw = (...pairs: Array<[string, string]>): string[] => pairs.flat();

describe('presentedApiKey', () => {
  it.each([
    ['nothing', raw(), undefined],
    ['x-api-key', raw(['X-Api-Key', ` ${CHAT_KEY} `]), CHAT_KEY],
    ['Bearer', raw(['authorization', `Bearer ${CHAT_KEY}`]), CHAT_KEY],
    ['both, the same key', raw(['x-api-key', CHAT_KEY], ['authorization', `bearer ${CHAT_KEY}`]), CHAT_KEY],
    ['a SigV4 Authorization is not an API key', raw(['authorization', SIGV4]), undefined],
    ['x-api-key beside a SigV4 Authorization', raw(['x-api-key', CHAT_KEY], ['authorization', SIGV4]), CHAT_KEY],
    ['an empty x-api-key', raw(['x-api-key', '']), undefined],
  ])('%s', (_name, headers, expected) => {
    expect(presentedApiKey(headers)).toBe(expected);
  });

  it.each([
    ['x-api-key twice', raw(['x-api-key', BAD_KEY], ['x-api-key', CHAT_KEY])],
    ['x-api-key twice, the same key', raw(['x-api-key', CHAT_KEY], ['x-api-key', CHAT_KEY])],
    ['x-api-key comma-joined (API Gateway HTTP API)', raw(['x-api-key', `${BAD_KEY},${CHAT_KEY}`])],
    ['x-api-key comma-joined with a space (RFC 9110 list)', raw(['x-api-key', `${BAD_KEY}, ${CHAT_KEY}`])],
    ['Authorization: Bearer twice', raw(['authorization', `Bearer ${BAD_KEY}`], ['Authorization', `Bearer ${CHAT_KEY}`])],
    ['Authorization: Bearer comma-joined', raw(['authorization', `Bearer ${BAD_KEY},Bearer ${CHAT_KEY}`])],
    ['a Bearer and a SigV4 Authorization', raw(['authorization', SIGV4], ['authorization', `Bearer ${CHAT_KEY}`])],
    ['x-api-key and Bearer differ', raw(['x-api-key', BAD_KEY], ['authorization', `Bearer ${CHAT_KEY}`])],
  ])('refuses %s with ERR_CREDENTIALS_AMBIGUOUS', (_name, headers) => {
    expect(() => presentedApiKey(headers)).toThrow(expect.objectContaining({ code: 'ERR_CREDENTIALS_AMBIGUOUS' }));
  });
});

// Every way two keys reach the app: repeated headers through app.inject (and Node's HTTP server,
// whose rawHeaders light-my-request mirrors) and comma-joined ones as API Gateway HTTP API v2
// events deliver them through @fastify/aws-lambda. The valid key comes second and first in turn,
// so neither "first wins" nor "last wins" can pass.
const injectCases: Array<[string, Record<string, string | string[]>]> = [
  ['two x-api-key headers, invalid first', { 'x-api-key': [BAD_KEY, CHAT_KEY] }],
  ['two x-api-key headers, valid first', { 'x-api-key': [CHAT_KEY, BAD_KEY] }],
  ['two Bearer headers, invalid first', { authorization: [`Bearer ${BAD_KEY}`, `Bearer ${CHAT_KEY}`] }],
  ['two Bearer headers, valid first', { authorization: [`Bearer ${CHAT_KEY}`, `Bearer ${BAD_KEY}`] }],
  ['two valid keys of different callers', { 'x-api-key': CHAT_KEY, authorization: `Bearer ${LOBBY_KEY}` }],
];
const eventCases: Array<[string, Record<string, string>]> = [
  ['x-api-key comma-joined, invalid first', { 'x-api-key': `${BAD_KEY},${CHAT_KEY}` }],
  ['x-api-key comma-joined, valid first', { 'x-api-key': `${CHAT_KEY},${BAD_KEY}` }],
  ['Authorization comma-joined', { authorization: `Bearer ${BAD_KEY},Bearer ${CHAT_KEY}` }],
  ['x-api-key and Bearer differ', { 'x-api-key': BAD_KEY, authorization: `Bearer ${CHAT_KEY}` }],
];

const apps: FastifyInstance[] = [];
let tokenApp: FastifyInstance;
let roomsApp: FastifyInstance;
let tokenHandler: LambdaHandler;
let roomsHandler: LambdaHandler;

beforeAll(async () => {
  tokenApp = testApp(await makeTestKey('EdDSA')).app;
  roomsApp = roomsTestApp().app;
  const lambdaTokenApp = testApp(await makeTestKey('EdDSA')).app;
  const lambdaRoomsApp = roomsTestApp().app;
  apps.push(tokenApp, roomsApp, lambdaTokenApp, lambdaRoomsApp);
  tokenHandler = await createLambdaHandler(lambdaTokenApp);
  roomsHandler = await createLambdaHandler(lambdaRoomsApp);
});
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
});

const AMBIGUOUS = { error: { code: 'ERR_CREDENTIALS_AMBIGUOUS', message: expect.stringMatching(/more than one API key/) } };
const json = { 'content-type': 'application/json' };

describe('the token API and the Rooms API refuse ambiguous API keys (400 ERR_CREDENTIALS_AMBIGUOUS)', () => {
  it.each(injectCases)('POST /v1/tokens: %s', async (_name, headers) => {
    const res = await tokenApp.inject({ method: 'POST', url: '/v1/tokens', headers: { ...json, ...headers }, payload: '{"roomId":"chat-1"}' });
    expect([res.statusCode, res.json()]).toEqual([400, AMBIGUOUS]);
  });

  it.each(injectCases)('POST /v1/rooms/…/messages: %s', async (_name, headers) => {
    const res = await roomsApp.inject({ method: 'POST', url: '/v1/rooms/chat-1/messages', headers: { ...json, ...headers }, payload: '{"data":"x"}' });
    expect([res.statusCode, res.json()]).toEqual([400, AMBIGUOUS]);
  });

  it.each(eventCases)('Lambda event, POST /v1/tokens: %s', async (_name, headers) => {
    const res = await tokenHandler(
      httpApiEvent({ method: 'POST', path: '/v1/tokens', headers: { ...json, ...headers }, body: '{"roomId":"chat-1"}' }),
      lambdaContext,
    );
    expect([res.statusCode, JSON.parse(res.body)]).toEqual([400, AMBIGUOUS]);
  });

  it.each(eventCases)('Lambda event, GET /v1/rooms/…/connections: %s', async (_name, headers) => {
    const res = await roomsHandler(httpApiEvent({ method: 'GET', path: '/v1/rooms/chat-1/connections', headers }), lambdaContext);
    expect([res.statusCode, JSON.parse(res.body)]).toEqual([400, AMBIGUOUS]);
  });

  it('one key sent both ways is not ambiguous', async () => {
    const res = await tokenHandler(
      httpApiEvent({
        method: 'POST',
        path: '/v1/tokens',
        headers: { ...json, 'x-api-key': CHAT_KEY, authorization: `Bearer ${CHAT_KEY}` },
        body: '{"roomId":"chat-1"}',
      }),
      lambdaContext,
    );
    expect(res.statusCode).toBe(201);
  });
});
