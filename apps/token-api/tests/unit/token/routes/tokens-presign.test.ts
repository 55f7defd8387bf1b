import { beforeAll, describe, expect, it } from 'vitest';
import { parseSocketTarget } from '../../../../src/token/presign/socket-target.ts';
import { createSocketUrlPresigner, type SocketUrlPresigner } from '../../../../src/token/presign/socket-url-presigner.ts';
import { cachedCredentials } from '../../../../src/token/presign/cached-credentials.ts';
import { CHAT_KEY, NOW, SOCKET_URL, clock, makeTestKey, testApp, type TestKey } from '../../../helpers/fixtures.ts';
import { aws4Signature } from '../../../helpers/presign-aws4.ts';
import { temporaryCredentials } from '../../../helpers/presign-fixtures.ts';
import { presignedUntil, verifyPresignedUrl } from '../../../helpers/presign-sigv4-spec.ts';

let key: TestKey;
beforeAll(async () => {
  key = await makeTestKey('RS256');
});

const post = (payload: unknown) => ({
  method: 'POST' as const,
  url: '/v1/tokens',
  headers: { 'content-type': 'application/json', 'x-api-key': CHAT_KEY },
  payload: JSON.stringify(payload),
});

function presigner(credentials: Parameters<typeof createSocketUrlPresigner>[0]['credentials'], expiresInSeconds = 10): SocketUrlPresigner {
  // SOCKET_URL of the fixtures: wss://abc123.execute-api.eu-west-1.amazonaws.com/test
  return createSocketUrlPresigner({ target: parseSocketTarget(SOCKET_URL).target!, region: 'eu-west-1', expiresInSeconds, credentials, clock });
}

describe('POST /v1/tokens in IAM mode', () => {
  it('returns a socketUrl presigned for the stage, with this very token in its signed query', async () => {
    const credentials = temporaryCredentials(1_250);
    const { app } = testApp(key, { socketUrlPresigner: presigner(async () => credentials) });
    const res = await app.inject(post({ roomId: 'chat-42', userId: 'u'.repeat(128) }));
    expect(res.statusCode).toBe(201);
    const body = res.json<{ token: string; socketUrl: string; roomId: string }>();
    const url = new URL(body.socketUrl);
    expect(`${url.protocol}//${url.host}${url.pathname}`).toBe(SOCKET_URL);
    expect(url.searchParams.get('token')).toBe(body.token);
    expect(url.searchParams.get('room')).toBe('chat-42');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('10');
    expect(presignedUntil(body.socketUrl)).toBe(NOW + 10);
    expect(verifyPresignedUrl(body.socketUrl, { secretAccessKey: credentials.secretAccessKey }).valid).toBe(true);
    expect(aws4Signature(body.socketUrl, { region: 'eu-west-1', credentials })).toBe(url.searchParams.get('X-Amz-Signature'));
  });

  it('a URL over 4096 characters is a 500 ERR_SOCKET_URL_TOO_LONG that shows neither URL nor token', async () => {
    const credentials = temporaryCredentials(3_500);
    const { app } = testApp(key, { socketUrlPresigner: presigner(async () => credentials) });
    const res = await app.inject(post({ roomId: 'chat-42' }));
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({
      error: {
        code: 'ERR_SOCKET_URL_TOO_LONG',
        message: "the presigned socket URL would exceed API Gateway's 4096-character limit; this is a deployment problem, not a caller one",
      },
    });
    expect(res.body).not.toMatch(/X-Amz|wss:|eyJ/);
  });

  it('unavailable credentials are a 503 to retry, and the next request succeeds', async () => {
    let fail = true;
    const chain = async () => {
      if (fail) throw new Error('connect ETIMEDOUT 169.254.169.254:80');
      return temporaryCredentials();
    };
    const { app } = testApp(key, { socketUrlPresigner: presigner(cachedCredentials(chain, { refreshBeforeSeconds: 300, clock })) });
    const first = await app.inject(post({ roomId: 'chat-42' }));
    expect(first.statusCode).toBe(503);
    expect(first.json()).toEqual({
      error: { code: 'ERR_SIGNING_CREDENTIALS_UNAVAILABLE', message: 'socket URL signing is temporarily unavailable; retry shortly' },
    });
    expect(first.body).not.toContain('169.254');
    fail = false;
    expect((await app.inject(post({ roomId: 'chat-42' }))).statusCode).toBe(201);
  });

  it('without a presigner socketUrl stays the configured URL', async () => {
    const { app } = testApp(key);
    const res = await app.inject(post({ roomId: 'chat-42' }));
    expect(res.json().socketUrl).toBe(SOCKET_URL);
  });
});
