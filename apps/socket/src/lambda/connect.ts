import { makeConnectHandler } from '../handlers/connect.ts';
import { containerRuntime } from './runtime.ts';

// Module scope = once per container: a bad configuration fails the cold start, naming every variable.
const { verifier, store, logger } = containerRuntime();

export const handler = makeConnectHandler({ verifier, store, logger });
