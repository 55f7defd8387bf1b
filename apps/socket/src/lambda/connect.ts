import { makeConnectHandler } from '../handlers/connect.ts';
import { createBase } from './base.ts';
import { createHistory } from './history.ts';
import { createDynamoClient, createStore } from './store.ts';
import { createTokenVerifier } from './verifier.ts';

// Module scope = once per container: a bad configuration fails the cold start, naming every variable.
const { config, logger } = createBase(process.env);
const dynamo = createDynamoClient(config);

export const handler = makeConnectHandler({
  verifier: createTokenVerifier(config, logger),
  store: createStore(config, dynamo),
  // With history on, `$connect` records where the connection joined the room's stream.
  history: createHistory(config, dynamo),
  logger,
});
