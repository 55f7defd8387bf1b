// Cold-start required floor for the Rooms function: the Fastify floor (rooms-fastify-floor.ts)
// plus issue 18's observability, a Powertools log line per request and EMF metrics per
// invocation. No authentication, validation or error mapping (docs/benchmarks.md, cold start,
// fifth pass).
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { fastifyFloor } from './fastify-floor.ts';
import { handler as baseline } from './rooms.ts';

const service = 'roomgate-token-api';

export const handler = await fastifyFloor('GET', '/v1/rooms/:roomId/connections', baseline, {
  logger: new Logger({ serviceName: service }),
  metrics: new Metrics({ namespace: 'roomgate', serviceName: service }),
  metric: 'RoomListings',
});
