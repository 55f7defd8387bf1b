// The bare Fastify app behind the cold-start floors (token-api-fastify-floor.ts,
// rooms-fastify-floor.ts): one route that answers with a baseline handler's result, served
// through @fastify/aws-lambda. No schema, authentication, logger, metrics or signing. The
// required floors (*-required-floor.ts) add what issue 18 requires of every function: one
// Powertools log line per request and EMF metrics flushed after each invocation.
import awsLambdaFastify from '@fastify/aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import Fastify, { type FastifyServerOptions } from 'fastify';

type Baseline = () => Promise<{ statusCode: number; body: string }>;
type LambdaHandler = ReturnType<typeof awsLambdaFastify>;

/** The observability a required floor carries: a Powertools logger and metrics, as the functions use them. */
export interface FloorObservability {
  logger: Logger;
  metrics: Metrics;
  /** Counted once per request (count 1), e.g. `TokensIssued`. */
  metric: string;
}

// A route without schemas needs no compiler; these keep Fastify from building ajv's, which the
// token API's bundles leave out (apps/token-api/esbuild-plugins.cjs).
const noCompilers = {
  compilersFactory: { buildValidator: () => () => () => true, buildSerializer: () => () => JSON.stringify },
} as unknown as FastifyServerOptions['schemaController'];

/**
 * A Lambda handler serving `baseline` at `method url`; the app is ready when the promise resolves.
 * With `observed`, each invocation adds its Lambda context to the logger, each request writes one
 * line and counts one metric, and the metrics are flushed after each invocation.
 */
export async function fastifyFloor(method: 'GET' | 'POST', url: string, baseline: Baseline, observed?: FloorObservability): Promise<LambdaHandler> {
  const app = Fastify({ schemaController: noCompilers });
  app.route({
    method,
    url,
    handler: async (_request, reply) => {
      const { statusCode, body } = await baseline();
      if (observed) {
        observed.logger.info('answered', { statusCode });
        observed.metrics.addMetric(observed.metric, 'Count', 1);
      }
      return reply.code(statusCode).type('application/json').send(body);
    },
  });
  const proxy = awsLambdaFastify(app);
  await app.ready();
  if (!observed) return proxy;
  return (async (event: Parameters<LambdaHandler>[0], context: Parameters<LambdaHandler>[1]) => {
    observed.logger.addContext(context as Parameters<Logger['addContext']>[0]);
    try {
      return await proxy(event, context);
    } finally {
      observed.metrics.publishStoredMetrics();
    }
  }) as LambdaHandler;
}
