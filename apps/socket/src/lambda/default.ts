import { makeDefaultHandler } from '../handlers/default.ts';
import { createRuntime } from './runtime.ts';

// Module scope = once per container: a bad configuration fails the cold start, naming every
// variable; the history store (and its position cache) lives as long as the container.
const { config, verifier, store, broadcaster, history, publisher, management, admission, rateLimit, logger, presence } = createRuntime(process.env);

export const handler = makeDefaultHandler({
  verifier,
  store,
  broadcaster,
  history,
  publisher,
  management,
  admission,
  rateLimit,
  presence,
  logger,
  maxMessageBytes: config.maxMessageBytes,
  clockToleranceSeconds: config.clockToleranceSeconds,
});
