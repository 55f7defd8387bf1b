import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generate, TARGETS } from '../../../scripts/compile-schemas.ts';
import { precompiledCompilers, type CompiledSchemaModule } from '../../../src/http/compiled-schemas.ts';
import { createHttpApp } from '../../../src/http/http-app.ts';
import tokenSchemas from '../../../src/token/compiled-schemas.generated.cjs';
import roomsSchemas from '../../../src/rooms/compiled-schemas.generated.cjs';
import { errorSchema } from '../../../src/http/schemas.ts';
import { tokenRequestSchema, tokenResponseSchema } from '../../../src/token/schemas.ts';

describe('build-time schema code (scripts/compile-schemas.ts)', () => {
  it.each(Object.entries(TARGETS))('the committed %s module is what the generator writes from the current schemas', async (target, path) => {
    expect(readFileSync(path, 'utf8')).toBe(await generate(target as keyof typeof TARGETS));
  });

  it('covers every declared status of every route, errors included, and every validated part', () => {
    expect(Object.keys(tokenSchemas.validators)).toEqual(['POST /v1/tokens body']);
    expect(Object.keys(tokenSchemas.serializers).filter((key) => key.startsWith('POST /v1/tokens '))).toEqual(
      ['201', '400', '401', '403', '413', '415', '500', '503'].map((status) => `POST /v1/tokens ${status}`),
    );
    expect(Object.keys(tokenSchemas.serializers).filter((key) => key.startsWith('GET '))).toEqual([
      'GET /.well-known/jwks.json 200',
      'GET /.well-known/jwks.json 500',
      'GET /.well-known/jwks.json 503',
      'GET /healthz 200',
      'GET /healthz 500',
    ]);
    expect(Object.keys(roomsSchemas.validators)).toEqual(
      expect.arrayContaining([
        'POST /v1/rooms/:roomId/messages body',
        'POST /v1/rooms/:roomId/messages headers',
        'GET /v1/rooms/:roomId/connections querystring',
      ]),
    );
    expect(Object.keys(roomsSchemas.serializers)).toEqual(
      expect.arrayContaining(['POST /v1/rooms/:roomId/messages 422', 'DELETE /v1/rooms/:roomId/users/:userId 500']),
    );
  });
});

describe('precompiledCompilers', () => {
  const app = (schema: object) => {
    const built = createHttpApp({ logLevel: 'silent', bodyLimit: 4096, schemaCompilers: precompiledCompilers(tokenSchemas) });
    built.post('/v1/tokens', { schema: { body: schema, response: { 201: tokenResponseSchema, 400: errorSchema } } }, async () => ({}));
    return built;
  };

  it('serves a route whose schemas are the ones compiled', async () => {
    const built = app(tokenRequestSchema);
    await built.ready();
    const res = await built.inject({ method: 'POST', url: '/v1/tokens', payload: { roomId: 'chat 1' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: { code: 'ERR_VALIDATION', message: 'body.roomId must match pattern "^[A-Za-z0-9_.:-]{1,128}$"' } });
    await built.close();
  });

  it('refuses to start with code compiled from another version of a schema', async () => {
    const changed = { ...tokenRequestSchema, properties: { ...tokenRequestSchema.properties, ttlSeconds: { type: 'integer', minimum: 1, maximum: 60 } } };
    // Fastify wraps what the compiler throws (FST_ERR_SCH_VALIDATION_BUILD) and keeps its message.
    await expect(app(changed).ready()).rejects.toThrow(/the precompiled validator for POST \/v1\/tokens body is stale/);
  });

  it('refuses to start with a route that has no compiled code', async () => {
    const built = createHttpApp({ logLevel: 'silent', bodyLimit: 4096, schemaCompilers: precompiledCompilers(tokenSchemas) });
    built.get('/new', { schema: { response: { 200: errorSchema } } }, async () => ({}));
    await expect(built.ready()).rejects.toThrow(/serializer for GET \/new 200 is missing/);
  });

  it("evaluates a schema's code on its first use, not at ready(), and each distinct code once", async () => {
    const evaluated: number[] = [];
    const counting: CompiledSchemaModule = {
      ...tokenSchemas,
      code: tokenSchemas.code.map((body, index) => () => {
        evaluated.push(index);
        return body();
      }),
    };
    const built = createHttpApp({ logLevel: 'silent', bodyLimit: 4096, schemaCompilers: precompiledCompilers(counting) });
    built.post('/v1/tokens', { schema: { body: tokenRequestSchema, response: { 201: tokenResponseSchema, 400: errorSchema } } }, async (_request, reply) =>
      reply.code(201).send({ token: 't', expiresAt: '2026-11-30T12:00:00.000Z', expiresIn: 1, roomId: 'ok', socketUrl: 'wss://x', jti: 'j', singleUse: false }),
    );
    await built.ready();
    expect(evaluated).toEqual([]);

    const bodyCode = tokenSchemas.validators['POST /v1/tokens body']!.code;
    const refused = await built.inject({ method: 'POST', url: '/v1/tokens', payload: { roomId: 'chat 1' } });
    expect(refused.statusCode).toBe(400);
    expect(evaluated).toEqual([bodyCode, tokenSchemas.serializers['POST /v1/tokens 400']!.code]);

    // The stand-in passes ajv's `errors` through, so a second failure names its own field.
    const again = await built.inject({ method: 'POST', url: '/v1/tokens', payload: { roomId: 'ok', ttlSeconds: 0 } });
    expect(again.json()).toEqual({ error: { code: 'ERR_VALIDATION', message: 'body.ttlSeconds must be >= 1' } });
    const ok = await built.inject({ method: 'POST', url: '/v1/tokens', payload: { roomId: 'ok' } });
    expect(ok.statusCode).toBe(201);
    expect(new Set(evaluated).size).toBe(evaluated.length);
    await built.close();
  });
});
