// Cold-start floor for the token function: the baseline's handler (token-api.ts: the same two
// secret reads) behind a bare Fastify app and @fastify/aws-lambda, which the token API must use.
// What any Fastify Lambda of this shape pays before its own code (docs/benchmarks.md).
import { fastifyFloor } from './fastify-floor.ts';
import { handler as baseline } from './token-api.ts';

export const handler = await fastifyFloor('POST', '/v1/tokens', baseline);
