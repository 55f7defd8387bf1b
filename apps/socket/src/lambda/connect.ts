import { makeConnectHandler } from '../handlers/connect.ts';
import { createAdmissionFor } from './admission.ts';
import { createBase } from './base.ts';
import { createDynamoClient, createStore } from './store.ts';
import { createTokenVerifier } from './verifier.ts';

// Module scope = once per container: a bad configuration fails the cold start, naming every variable.
const { config, logger } = createBase(process.env);
const dynamo = createDynamoClient(config);
const store = createStore(config, dynamo);

export const handler = makeConnectHandler({ verifier: createTokenVerifier(config, logger), store, admission: createAdmissionFor(config, dynamo, store), logger });
