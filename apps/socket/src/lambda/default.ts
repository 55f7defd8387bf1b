import { makeDefaultHandler } from '../handlers/default.ts';
import { createRuntime } from './runtime.ts';

// Module scope = once per container: a bad configuration fails the cold start, naming every variable.
const { config, verifier, store, broadcaster, management, logger } = createRuntime(process.env);

export const handler = makeDefaultHandler({
  verifier,
  store,
  broadcaster,
  management,
  logger,
  maxMessageBytes: config.maxMessageBytes,
  clockToleranceSeconds: config.clockToleranceSeconds,
});
