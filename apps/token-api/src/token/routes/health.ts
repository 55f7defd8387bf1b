import type { FastifyPluginAsync } from 'fastify';
import { commonErrorResponses } from '../../http/schemas.ts';
import { healthSchema } from '../schemas.ts';

/** Liveness only: it does not touch Secrets Manager, so a key outage does not flap the check. */
export const healthRoutes: FastifyPluginAsync = async (app) => {
  app.get('/healthz', { schema: { response: { 200: healthSchema, ...commonErrorResponses } } }, async (_request, reply) => {
    void reply.header('cache-control', 'no-store');
    return { status: 'ok' as const };
  });
};
