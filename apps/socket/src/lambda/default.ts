import { makeDefaultHandler } from '../handlers/default.ts';
import { containerRuntime } from './runtime.ts';

const { config, verifier, store, broadcaster, management, logger } = containerRuntime();

export const handler = makeDefaultHandler({
  verifier,
  store,
  broadcaster,
  management,
  logger,
  maxMessageBytes: config.maxMessageBytes,
  clockToleranceSeconds: config.clockToleranceSeconds,
});
