import { createBroadcaster, type Broadcaster, type ManagementApi, createMessagePublisher, type MessagePublisher } from '@roomgate/shared/delivery';
import type { ConnectionStore } from '@roomgate/shared/store';
import type { JsonLogger } from '@roomgate/shared/runtime';
import type { HistoryStore } from '@roomgate/shared/history';
import type { TokenVerifier } from '@roomgate/shared/tokens';
import type { SocketConfig } from '../config.ts';
import { createBase } from './base.ts';
import { createManagement } from './management.ts';
import { createHistory } from './history.ts';
import { createDynamoClient, createStore } from './store.ts';
import { createTokenVerifier } from './verifier.ts';
import { createAdmissionFor, createRateLimitFor } from './admission.ts';
import type { Admission } from '../admission/admission.ts';
import type { PublishRateLimit } from '../admission/rate-limit.ts';

export { DYNAMODB_CLIENT_SETTINGS, MANAGEMENT_CLIENT_SETTINGS } from '@roomgate/shared/runtime';

export interface Runtime {
  config: SocketConfig;
  logger: JsonLogger;
  verifier: TokenVerifier;
  store: ConnectionStore;
  management: ManagementApi;
  broadcaster: Broadcaster;
  /** Undefined when the stage runs with history off. */
  history: HistoryStore | undefined;
  /** The one publish path (history, then fan-out), shared with the Rooms API. */
  publisher: MessagePublisher;
  /** Bans and revocations, checked on `refresh`. */
  admission: Admission;
  rateLimit: PublishRateLimit;
}

/**
 * Every real client the socket service uses, as `$default` wires them. The other entry points
 * build only their own parts from the same factories, so `$disconnect` loads neither the Secrets
 * Manager nor the management API client (docs/benchmarks.md, cold start). SDK clients connect
 * lazily, so building them costs no I/O.
 */
export function createRuntime(env: Record<string, string | undefined>): Runtime {
  const { config, logger } = createBase(env);
  const dynamo = createDynamoClient(config);
  const store = createStore(config, dynamo);
  const history = createHistory(config, dynamo);
  const management = createManagement(config);
  const verifier = createTokenVerifier(config, logger);
  const broadcaster = createBroadcaster({ store, management, concurrency: config.fanOutConcurrency, logger });
  // One size rule for every producer: the `message` frame, envelope included, fits MAX_MESSAGE_BYTES
  // (the Rooms API holds a server publish to the same setting).
  const publisher = createMessagePublisher({ broadcaster, history, maxFrameBytes: config.maxMessageBytes });
  const admission = createAdmissionFor(config, dynamo, store);
  const rateLimit = createRateLimitFor(config, store);
  return { config, logger, verifier, store, management, broadcaster, history, publisher, admission, rateLimit };
}
