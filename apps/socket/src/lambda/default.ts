import { withInvocation } from '@roomgate/shared/runtime';
import { makeDefaultHandler } from '../handlers/default.ts';
import { socketEventFields } from './base.ts';
import { createRuntime } from './runtime.ts';

// Module scope = once per container: a bad configuration fails the cold start, naming every
// variable; the history store (and its position cache) lives as long as the container.
const { config, verifier, store, broadcaster, history, publisher, management, admission, rateLimit, logger, metrics, presence } = createRuntime(process.env);

export const handler = withInvocation(
  { logger, metrics },
  socketEventFields,
  makeDefaultHandler({
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
    metrics,
    maxMessageBytes: config.maxMessageBytes,
    clockToleranceSeconds: config.clockToleranceSeconds,
  }),
);
