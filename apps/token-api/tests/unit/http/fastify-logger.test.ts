import { describe, expect, it } from 'vitest';
import { createJsonLogger, noMetrics, withInvocation } from '@roomgate/shared/runtime';
import { createLambdaHandler } from '../../../src/http/lambda-handler.ts';
import { httpRequestFields } from '../../../src/http/request-fields.ts';
import { httpApiEvent } from '../../helpers/http-api-event.ts';
import { createHttpApp } from '../../../src/http/http-app.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createJsonLogger({ base: { service: 'token-api', stage: 'dev' }, write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

describe("Fastify's lines go through the function's logger (one shape per function)", () => {
  it('framework lines (the error handler) and domain lines have the same fields and the request ids', async () => {
    const { logger, lines } = capture();
    const app = createHttpApp({ logLevel: 'info', bodyLimit: 1024, logger });
    app.get('/boom', async (request) => {
      logger.info('domain line', { roomId: 'r1' });
      request.log.info({ step: 1 }, 'request line');
      throw new Error('internal detail');
    });
    await app.ready();
    const response = await app.inject({ method: 'GET', url: '/boom', headers: { 'x-request-id': 'apigw-1' } });
    expect(response.statusCode).toBe(500);
    expect(lines.map((l) => [l.level, l.message])).toEqual([
      ['INFO', 'domain line'],
      ['INFO', 'request line'],
      ['ERROR', 'request failed'],
    ]);
    for (const line of lines) {
      // Domain lines too carry Fastify's `reqId`: every line of a request has both ids.
      expect(line).toMatchObject({ service: 'token-api', stage: 'dev', requestId: 'apigw-1', reqId: 'apigw-1' });
      expect(line.timestamp).toEqual(expect.any(String));
      // pino's own keys never appear: one shape, not two.
      expect(line).not.toHaveProperty('msg');
      expect(line).not.toHaveProperty('time');
    }
    expect(lines[1]).toMatchObject({ reqId: 'apigw-1', step: 1 });
    expect(lines[2]).toMatchObject({ code: 'ERR_INTERNAL', error: { name: 'Error', message: 'internal detail' } });
    await app.close();
  });

  it('drops lines below the level, as pino did', async () => {
    const { lines } = capture();
    const quiet = createJsonLogger({ level: 'warn', write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    const app = createHttpApp({ logLevel: 'warn', bodyLimit: 1024, logger: quiet });
    app.get('/x', async (request) => {
      request.log.info('hidden');
      request.log.warn('shown');
      return {};
    });
    await app.inject({ method: 'GET', url: '/x' });
    expect(lines.map((l) => l.message)).toEqual(['shown']);
    await app.close();
  });

  it("through the Lambda adapter, each request gets its own id in place of serverless-offline's placeholder", async () => {
    const { logger, lines } = capture();
    const app = createHttpApp({ logLevel: 'info', bodyLimit: 1024, logger });
    app.get('/x', async () => {
      logger.info('domain line');
      return {};
    });
    const handler = withInvocation({ logger, metrics: noMetrics }, httpRequestFields, await createLambdaHandler(app));
    // What serverless-offline's LambdaProxyIntegrationEventV2 sends for every request.
    const offline = () => ({
      ...httpApiEvent({ method: 'GET', path: '/x' }),
      requestContext: { ...httpApiEvent({ method: 'GET', path: '/x' }).requestContext, requestId: 'offlineContext_resourceId' },
    });
    await handler(offline(), { awsRequestId: 'lambda-1' });
    await handler(offline(), { awsRequestId: 'lambda-2' });
    const domain = lines.filter((line) => line.message === 'domain line');
    expect(domain.map((line) => [line.requestId, line.reqId])).toEqual([
      ['lambda-1', 'lambda-1'],
      ['lambda-2', 'lambda-2'],
    ]);
    expect(JSON.stringify(lines)).not.toContain('offlineContext_resourceId');
    await app.close();
  });
});
