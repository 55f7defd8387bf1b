// Cold-start floor for the Rooms function: the baseline's handler (rooms.ts: the same byRoom
// Query) behind a bare Fastify app and @fastify/aws-lambda (see token-api-fastify-floor.ts).
import { fastifyFloor } from './fastify-floor.ts';
import { handler as baseline } from './rooms.ts';

export const handler = await fastifyFloor('GET', '/v1/rooms/:roomId/connections', baseline);
