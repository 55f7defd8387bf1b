import { makeConnectHandler } from '../handlers/connect.ts';
import { createBase } from './base.ts';
import { createPresenceParts } from './presence.ts';
import { createTokenVerifier } from './verifier.ts';

// Module scope = once per container: a bad configuration fails the cold start, naming every variable.
const { config, logger } = createBase(process.env);

// The store announces the join to presence-capable members and emits `connection.opened`.
const { store } = createPresenceParts(config, logger);

export const handler = makeConnectHandler({ verifier: createTokenVerifier(config, logger), store, logger });
