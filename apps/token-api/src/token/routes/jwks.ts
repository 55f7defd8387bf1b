import type { FastifyPluginAsync } from 'fastify';
import type { SigningKeySource } from '@roomgate/shared/tokens';
import { commonErrorResponses, errorSchema } from '../../http/schemas.ts';
import { jwksSchema } from '../schemas.ts';

export interface JwksRouteOptions {
  keys: Pick<SigningKeySource, 'getJwks'>;
  maxAgeSeconds: number;
}

/**
 * The public keys (current + previous) so verifiers outside AWS can check tokens. Cacheable for
 * `maxAgeSeconds`; a rotation reaches verifiers within that plus the key source's max age.
 */
export const jwksRoutes: FastifyPluginAsync<JwksRouteOptions> = async (app, { keys, maxAgeSeconds }) => {
  app.get('/.well-known/jwks.json', { schema: { response: { 200: jwksSchema, 503: errorSchema, ...commonErrorResponses } } }, async (_request, reply) => {
    const jwks = await keys.getJwks();
    void reply.header('cache-control', `public, max-age=${maxAgeSeconds}`);
    return jwks;
  });
};
