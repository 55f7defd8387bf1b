// The bare Fastify app behind the cold-start floors (token-api-fastify-floor.ts,
// rooms-fastify-floor.ts): one route that answers with a baseline handler's result, served
// through @fastify/aws-lambda. No schema, authentication, logger, metrics or signing.
import awsLambdaFastify from '@fastify/aws-lambda';
import Fastify, { type FastifyServerOptions } from 'fastify';

type Baseline = () => Promise<{ statusCode: number; body: string }>;

// A route without schemas needs no compiler; these keep Fastify from building ajv's, which the
// token API's bundles leave out (apps/token-api/esbuild-plugins.cjs).
const noCompilers = {
  compilersFactory: { buildValidator: () => () => () => true, buildSerializer: () => () => JSON.stringify },
} as unknown as FastifyServerOptions['schemaController'];

/** A Lambda handler serving `baseline` at `method url`; the app is ready when the promise resolves. */
export async function fastifyFloor(method: 'GET' | 'POST', url: string, baseline: Baseline): Promise<ReturnType<typeof awsLambdaFastify>> {
  const app = Fastify({ schemaController: noCompilers });
  app.route({
    method,
    url,
    handler: async (_request, reply) => {
      const { statusCode, body } = await baseline();
      return reply.code(statusCode).type('application/json').send(body);
    },
  });
  const handler = awsLambdaFastify(app);
  await app.ready();
  return handler;
}
