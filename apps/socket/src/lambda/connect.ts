import { withInvocation } from '@roomgate/shared/runtime';
import { makeConnectHandler } from '../handlers/connect.ts';
import { createAdmissionFor } from './admission.ts';
import { createBase, socketEventFields } from './base.ts';
import { createDynamoClient } from './store.ts';
import { createHistory } from './history.ts';
import { createPresenceParts } from './presence.ts';
import { createTokenVerifier } from './verifier.ts';

// Module scope = once per container: a bad configuration fails the cold start, naming every variable.
const { config, logger, metrics } = createBase(process.env);
const dynamo = createDynamoClient(config);

// The store announces the join to presence-capable members and emits `connection.opened`.
const { store } = createPresenceParts(config, logger, dynamo);

export const handler = withInvocation(
  { logger, metrics },
  socketEventFields,
  makeConnectHandler({
    verifier: createTokenVerifier(config, logger, metrics),
    store,
    admission: createAdmissionFor(config, dynamo, store),
    // With history on, `$connect` records where the connection joined the room's stream.
    history: createHistory(config, dynamo),
    logger,
    metrics,
  }),
);
