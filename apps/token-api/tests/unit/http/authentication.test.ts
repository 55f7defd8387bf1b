import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticApiKeys } from '../../../src/http/auth/api-key-source.ts';
import { parseApiKeysSecret } from '../../../src/http/auth/api-keys.ts';
import type { CallerAuth } from '../../../src/http/config.ts';
import { createHttpApp } from '../../../src/http/http-app.ts';
import { callerAuthOptions, createLambdaHandler, type LambdaHandler } from '../../../src/http/lambda-handler.ts';
import { roomsRoutes, type RoomsRouteOptions } from '../../../src/rooms/routes.ts';
import { tokenRoutes } from '../../../src/token/routes/tokens.ts';
import { CHAT_KEY, apiKeysSecret, makeTestKey, testApp } from '../../helpers/fixtures.ts';
import { httpApiEvent, lambdaContext } from '../../helpers/http-api-event.ts';
import { roomsTestApp } from '../../helpers/rooms-fakes.ts';

const ROLE_SESSION = 'arn:aws:sts::123456789012:assumed-role/chat-backend/task-1';
const apiKeys = staticApiKeys(parseApiKeysSecret(apiKeysSecret()));
const json = { 'content-type': 'application/json' };

const apps: FastifyInstance[] = [];
const handlers = {} as Record<CallerAuth, { tokens: LambdaHandler; rooms: LambdaHandler }>;

// Wired as lambda.ts and rooms/lambda.ts wire them, through the real @fastify/aws-lambda adapter.
beforeAll(async () => {
  for (const mode of ['iam', 'api-key'] as const) {
    const tokens = testApp(await makeTestKey('EdDSA'), callerAuthOptions(mode, apiKeys)).app;
    const rooms = roomsTestApp([], callerAuthOptions(mode, apiKeys)).app;
    apps.push(tokens, rooms);
    handlers[mode] = { tokens: await createLambdaHandler(tokens), rooms: await createLambdaHandler(rooms) };
  }
});
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
});

// What an IAM stage's catch-all `$default` route (no authorizer) delivers: no IAM context. Fastify
// decodes `%74` and matches the token route, so API Gateway's AWS_IAM route never saw it.
const viaDefaultRoute = (path: string, headers: Record<string, string>) => ({
  ...httpApiEvent({ method: 'POST', path, headers: { ...json, ...headers }, body: '{"roomId":"chat-1"}' }),
  routeKey: '$default',
});

describe('an IAM-mode stage never accepts an API key, whatever route delivered the request', () => {
  it.each([
    ['POST /v1/%74okens on $default with x-api-key', '/v1/%74okens', { 'x-api-key': CHAT_KEY }],
    ['POST /v1/tokens on $default with x-api-key', '/v1/tokens', { 'x-api-key': CHAT_KEY }],
    ['POST /v1/%74okens with Authorization: Bearer', '/v1/%74okens', { authorization: `Bearer ${CHAT_KEY}` }],
    ['no credentials at all', '/v1/%74okens', {}],
  ])('token function: %s → 401', async (_name, path, headers) => {
    const res = await handlers.iam.tokens(viaDefaultRoute(path, headers), lambdaContext);
    expect(res.statusCode).toBe(401);
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'ERR_UNAUTHENTICATED', message: expect.stringMatching(/only SigV4-signed requests/) } });
  });

  it('rooms function: an API key without IAM context → 401, nothing listed', async () => {
    const res = await handlers.iam.rooms(
      httpApiEvent({ method: 'GET', path: '/v1/rooms/chat-1/connections', headers: { 'x-api-key': CHAT_KEY } }),
      lambdaContext,
    );
    expect([res.statusCode, JSON.parse(res.body).error.code]).toEqual([401, 'ERR_UNAUTHENTICATED']);
  });

  it('a SigV4 caller is served, and an API key beside it is not read', async () => {
    const event = httpApiEvent({
      method: 'POST',
      path: '/v1/tokens',
      headers: { ...json, 'x-api-key': 'rgk_x,rgk_y' },
      body: '{"roomId":"chat-1"}',
      iam: { userArn: ROLE_SESSION },
    });
    expect((await handlers.iam.tokens(event, lambdaContext)).statusCode).toBe(201);
    const rooms = await handlers.iam.rooms(
      httpApiEvent({ method: 'GET', path: '/v1/rooms/chat-1/connections', iam: { userArn: ROLE_SESSION } }),
      lambdaContext,
    );
    expect(rooms.statusCode).toBe(200);
  });
});

describe('an API-key stage reads only API keys', () => {
  it('serves an API key, also on $default', async () => {
    expect((await handlers['api-key'].tokens(viaDefaultRoute('/v1/%74okens', { 'x-api-key': CHAT_KEY }), lambdaContext)).statusCode).toBe(201);
  });

  it('ignores an IAM context (no authorizer exists on such a stage, so it cannot be API Gateway’s)', async () => {
    const event = httpApiEvent({ method: 'POST', path: '/v1/tokens', headers: json, body: '{"roomId":"chat-1"}', iam: { userArn: ROLE_SESSION } });
    expect((await handlers['api-key'].tokens(event, lambdaContext)).statusCode).toBe(401);
    const rooms = await handlers['api-key'].rooms(
      httpApiEvent({ method: 'GET', path: '/v1/rooms/chat-1/connections', iam: { userArn: ROLE_SESSION } }),
      lambdaContext,
    );
    expect(rooms.statusCode).toBe(401);
  });
});

describe('authentication is one named plugin the route plugins depend on', () => {
  const signer = { sign: () => Promise.reject(new Error('not called')) };
  const tokenRouteOptions = { signer, defaultTtlSeconds: 300, maxTtlSeconds: 3600, socketUrl: 'wss://socket.example.invalid/test', tokenInQuery: false };

  it.each([
    ['tokenRoutes', (app: FastifyInstance) => app.register(tokenRoutes, tokenRouteOptions)],
    ['roomsRoutes', (app: FastifyInstance) => app.register(roomsRoutes, {} as RoomsRouteOptions)],
  ])('%s refuses to load in an app that did not register it', async (_name, register) => {
    const app = createHttpApp({ logLevel: 'silent', bodyLimit: 4096 });
    void register(app);
    await expect(app.ready()).rejects.toMatchObject({ code: 'FST_ERR_PLUGIN_DEPENDENCY_NOT_REGISTERED' });
    await app.close();
  });

  it('guards only the routes that add it: /healthz and the JWKS stay open, unknown paths stay 404', async () => {
    const app = testApp(await makeTestKey('EdDSA'), callerAuthOptions('iam', apiKeys)).app;
    apps.push(app);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/nowhere' })).json()).toMatchObject({ error: { code: 'ERR_NOT_FOUND' } });
    expect((await app.inject({ method: 'POST', url: '/v1/tokens', headers: json, payload: '{"roomId":"chat-1"}' })).json()).toMatchObject({
      error: { code: 'ERR_UNAUTHENTICATED' },
    });
  });
});
