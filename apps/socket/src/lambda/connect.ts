import { makeConnectHandler } from '../handlers/connect.ts';
import { createBase } from './base.ts';
import { createStore } from './store.ts';
import { createTokenVerifier } from './verifier.ts';

// Module scope = once per container: a bad configuration fails the cold start, naming every variable.
const { config, logger } = createBase(process.env);

export const handler = makeConnectHandler({ verifier: createTokenVerifier(config, logger), store: createStore(config), logger });
