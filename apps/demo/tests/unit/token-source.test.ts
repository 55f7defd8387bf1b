import { describe, expect, it, vi } from 'vitest';
import { makeTokenSource, TokenRequestError } from '../../src/page/token-source.ts';

const respond = (status: number, body: unknown) =>
  vi.fn(async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));

describe('makeTokenSource', () => {
  it('posts room and user to /api/token and returns the grant', async () => {
    const grant = { token: 't', socketUrl: 'ws://x/', expiresAt: '2030-01-01T00:05:00Z', expiresIn: 300 };
    const fetch = respond(200, grant);
    await expect(makeTokenSource({ roomId: 'lobby', userId: 'alice', fetch })()).resolves.toEqual(grant);
    expect(fetch).toHaveBeenCalledWith('/api/token', expect.objectContaining({ method: 'POST', body: '{"roomId":"lobby","userId":"alice"}' }));
  });

  it.each([
    [403, false],
    [400, false],
    [401, false],
    [429, true],
    [502, true],
    [503, true],
  ])('turns a %i into a TokenRequestError (retryable: %s) with the code', async (status, retryable) => {
    const getToken = makeTokenSource({ roomId: 'lobby', userId: 'alice', fetch: respond(status, { error: { code: 'ERR_X', message: 'nope' } }) });
    const error = (await getToken().catch((e: unknown) => e)) as TokenRequestError;
    expect(error).toBeInstanceOf(TokenRequestError);
    expect(error).toMatchObject({ code: 'ERR_X', message: 'nope', status, retryable });
  });

  it('copes with a body that is not JSON', async () => {
    const fetch = vi.fn(async () => new Response('<html>bad gateway</html>', { status: 502 }));
    await expect(makeTokenSource({ roomId: 'r', userId: 'u', fetch })()).rejects.toMatchObject({ code: 'HTTP_502', retryable: true });
  });
});
