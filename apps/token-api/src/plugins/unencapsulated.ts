import type { FastifyPluginAsync } from 'fastify';

/**
 * Marks a plugin so its hooks, decorators and handlers apply to the context that registers it,
 * which is what the `fastify-plugin` package does (not a dependency here). Fastify documents the
 * symbol: https://fastify.dev/docs/latest/Reference/Plugins/#handle-the-scope
 */
export function unencapsulated<Options extends Record<string, unknown>>(plugin: FastifyPluginAsync<Options>): FastifyPluginAsync<Options> {
  Object.assign(plugin, { [Symbol.for('skip-override')]: true });
  return plugin;
}
