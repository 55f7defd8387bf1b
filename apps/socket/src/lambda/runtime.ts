import {
  createBroadcaster,
  createPublishStatusFor,
  createShardingOptions,
  type Broadcaster,
  type ManagementApi,
  createMessagePublisher,
  type MessagePublisher,
} from '@roomgate/shared/delivery';
import type { ConnectionStore } from '@roomgate/shared/store';
import type { JsonLogger, Metrics } from '@roomgate/shared/runtime';
import type { HistoryStore } from '@roomgate/shared/history';
import type { TokenVerifier } from '@roomgate/shared/tokens';
import type { SocketConfig } from '../config.ts';
import { createBase } from './base.ts';
import { createHistory } from './history.ts';
import { createDynamoClient } from './store.ts';
import { createPresenceParts } from './presence.ts';
import type { RoomPresence } from '@roomgate/shared/presence';
import { createTokenVerifier } from './verifier.ts';
import { createAdmissionFor, createRateLimitFor } from './admission.ts';
import type { Admission } from '../admission/admission.ts';
import type { PublishRateLimit } from '../admission/rate-limit.ts';

export { DYNAMODB_CLIENT_SETTINGS, MANAGEMENT_CLIENT_SETTINGS } from '@roomgate/shared/runtime';

export interface Runtime {
  config: SocketConfig;
  logger: JsonLogger;
  /** EMF metrics, flushed after each invocation. */
  metrics: Metrics;
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
  /** Member lists for the `members` action; the store announces joins and leaves itself. */
  presence: RoomPresence;
}

/**
 * Every real client the socket service uses, as `$default` wires them. The other entry points
 * build only their own parts from the same factories, so `$disconnect` loads neither the Secrets
 * Manager nor the management API client (docs/benchmarks.md, cold start). SDK clients connect
 * lazily, so building them costs no I/O.
 */
export function createRuntime(env: Record<string, string | undefined>): Runtime {
  const { config, logger, metrics } = createBase(env);
  const dynamo = createDynamoClient(config);
  const { store, presence, events, management } = createPresenceParts(config, logger, dynamo);
  const history = createHistory(config, dynamo);
  const verifier = createTokenVerifier(config, logger, metrics);
  const broadcaster = createBroadcaster({ store, management, concurrency: config.fanOutConcurrency, logger });
  // One size rule for every producer: the `message` frame, envelope included, fits MAX_MESSAGE_BYTES
  // (the Rooms API holds a server publish to the same setting).
  // A room past FAN_OUT_SHARD_THRESHOLD is fanned out by shards in other invocations (docs/architecture.md, "Large rooms").
  const sharding = createShardingOptions(config.sharding, createPublishStatusFor(config.sharding, dynamo), store);
  const publisher = createMessagePublisher({ broadcaster, history, maxFrameBytes: config.maxMessageBytes, events, origin: 'client', sharding, metrics });
  const admission = createAdmissionFor(config, dynamo, store);
  const rateLimit = createRateLimitFor(config, store);
  return { config, logger, metrics, verifier, store, management, broadcaster, history, publisher, presence, admission, rateLimit };
}
