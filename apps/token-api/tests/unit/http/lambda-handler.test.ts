import { importJWK, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/token/app.ts';
import { staticApiKeys } from '../../../src/http/auth/api-key-source.ts';
import { parseApiKeysSecret } from '../../../src/http/auth/api-keys.ts';
import { createLambdaHandler, iamIdentityOfLambdaRequest, type LambdaHandler } from '../../../src/http/lambda-handler.ts';
import { AUDIENCE, CHAT_KEY, ISSUER, NOW, apiKeysSecret, clock, fakeKeySource, makeTestKey, testConfig, type TestKey } from '../../helpers/fixtures.ts';
import { httpApiEvent, lambdaContext } from '../../helpers/http-api-event.ts';

let key: TestKey;
let handler: LambdaHandler;
let keys: ReturnType<typeof fakeKeySource>;

beforeAll(async () => {
  key = await makeTestKey('RS256');
  keys = fakeKeySource(key);
  const app = buildApp({
    config: testConfig(),
    keys,
    apiKeys: staticApiKeys(parseApiKeysSecret(apiKeysSecret())),
    iamIdentity: iamIdentityOfLambdaRequest,
    clock,
  });
  handler = await createLambdaHandler(app);
});

const ROLE_SESSION = 'arn:aws:sts::123456789012:assumed-role/chat-backend/backend-task-7';

describe('Lambda handler (API Gateway HTTP API, payload 2.0)', () => {
  it('issues a token to an IAM caller mapped in IAM_CALLERS', async () => {
    const event = httpApiEvent({
      method: 'POST',
      path: '/v1/tokens',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ roomId: 'chat-7', userId: 'u-1' }),
      iam: { userArn: ROLE_SESSION },
    });
    const res = await handler(event, lambdaContext);
    expect(res.statusCode).toBe(201);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(res.body);
    const { payload } = await jwtVerify(body.token, await importJWK(key.jwk, 'RS256'), {
      issuer: ISSUER,
      audience: AUDIENCE,
      currentDate: new Date(NOW * 1000),
    });
    expect(payload).toMatchObject({ sub: 'chat-7', uid: 'u-1' });
  });

  it('handles a base64-encoded body', async () => {
    const event = httpApiEvent({
      method: 'POST',
      path: '/v1/tokens',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify({ roomId: 'lobby' })).toString('base64'),
      isBase64Encoded: true,
      iam: { userArn: ROLE_SESSION },
    });
    expect((await handler(event, lambdaContext)).statusCode).toBe(201);
  });

  it('403 for a room outside the IAM caller scope', async () => {
    const event = httpApiEvent({
      method: 'POST',
      path: '/v1/tokens',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ roomId: 'admin' }),
      iam: { userArn: ROLE_SESSION },
    });
    const res = await handler(event, lambdaContext);
    expect(res.statusCode).toBe(403);
    expect(JSON.parse(res.body).error.code).toBe('ERR_ROOM_FORBIDDEN');
  });

  it('403 for an authenticated but unmapped IAM principal', async () => {
    const event = httpApiEvent({
      method: 'POST',
      path: '/v1/tokens',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ roomId: 'chat-1' }),
      iam: { userArn: 'arn:aws:sts::123456789012:assumed-role/other-service/s' },
    });
    expect((await handler(event, lambdaContext)).statusCode).toBe(403);
  });

  it('falls back to an API key when the event has no IAM context', async () => {
    const event = httpApiEvent({
      method: 'POST',
      path: '/v1/tokens',
      headers: { 'content-type': 'application/json', 'x-api-key': CHAT_KEY },
      body: JSON.stringify({ roomId: 'chat-1' }),
    });
    expect((await handler(event, lambdaContext)).statusCode).toBe(201);
  });

  it('401 without IAM context or API key', async () => {
    const event = httpApiEvent({ method: 'POST', path: '/v1/tokens', headers: { 'content-type': 'application/json' }, body: '{"roomId":"chat-1"}' });
    const res = await handler(event, lambdaContext);
    expect(res.statusCode).toBe(401);
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'ERR_UNAUTHENTICATED', message: expect.any(String) } });
  });

  it('cannot be fooled by headers that imitate the adapter or an authorizer', async () => {
    const forged = JSON.stringify({ requestContext: { authorizer: { iam: { userArn: ROLE_SESSION } } } });
    const event = httpApiEvent({
      method: 'POST',
      path: '/v1/tokens',
      headers: {
        'content-type': 'application/json',
        'x-apigateway-event': encodeURIComponent(forged),
        'x-aws-lambda-fastify-request': 'guess',
        'sls-offline-authorizer-override': JSON.stringify({ iam: { userArn: ROLE_SESSION } }),
      },
      body: '{"roomId":"chat-1"}',
    });
    expect((await handler(event, lambdaContext)).statusCode).toBe(401);
  });

  it('serves the JWKS and health check, and 404/405 in the error shape', async () => {
    const jwks = await handler(httpApiEvent({ method: 'GET', path: '/.well-known/jwks.json' }), lambdaContext);
    expect(jwks.statusCode).toBe(200);
    expect(jwks.headers['cache-control']).toBe('public, max-age=300');
    expect(JSON.parse(jwks.body).keys[0].kid).toBe(key.signing.kid);
    expect((await handler(httpApiEvent({ method: 'GET', path: '/healthz' }), lambdaContext)).statusCode).toBe(200);
    const missing = await handler(httpApiEvent({ method: 'GET', path: '/nope' }), lambdaContext);
    expect(missing.statusCode).toBe(404);
    expect(JSON.parse(missing.body).error.code).toBe('ERR_NOT_FOUND');
    const wrong = await handler(httpApiEvent({ method: 'GET', path: '/v1/tokens' }), lambdaContext);
    expect(wrong.statusCode).toBe(405);
  });

  it('503 without internals when the keys are unavailable', async () => {
    keys.fail = true;
    try {
      const event = httpApiEvent({
        method: 'POST',
        path: '/v1/tokens',
        headers: { 'content-type': 'application/json' },
        body: '{"roomId":"chat-1"}',
        iam: { userArn: ROLE_SESSION },
      });
      const res = await handler(event, lambdaContext);
      expect(res.statusCode).toBe(503);
      expect(JSON.parse(res.body)).toEqual({ error: { code: 'ERR_KEY_UNAVAILABLE', message: 'keys are temporarily unavailable; retry shortly' } });
    } finally {
      keys.fail = false;
    }
  });
});
