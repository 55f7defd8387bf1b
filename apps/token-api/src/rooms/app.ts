import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ConnectionStore } from '@roomgate/shared/store';
import type { Broadcaster, ManagementApi, PublishStatusStore, ShardingOptions } from '@roomgate/shared/delivery';
import type { HistoryStore } from '@roomgate/shared/history';
import type { LifecycleEvents } from '@roomgate/shared/events';
import { noMetrics, systemClock, type Clock, type JsonLogger, type Metrics } from '@roomgate/shared/runtime';
import type { ApiKeySource } from '../http/auth/api-key-source.ts';
import type { IamIdentity } from '../http/auth/iam-callers.ts';
import { authentication } from '../http/authentication.ts';
import { createHttpApp } from '../http/http-app.ts';
import { precompiledCompilers, type SchemaCompilers } from '../http/compiled-schemas.ts';
import compiledSchemas from './compiled-schemas.generated.cjs';
import { roomsRoutes } from './routes.ts';
import { revocationRoutes } from './revocation-routes.ts';
import { createAccessControl } from './access-control.ts';
import type { AccessStore } from '@roomgate/shared/access';
import type { RoomsAppConfig } from './config.ts';
import { createUserDisconnector } from './disconnect-user.ts';
import type { IdempotencyStore } from './idempotency-store.ts';
import { createConnectionLister } from './list-connections.ts';
import type { ListingCursors } from './listing-cursors.ts';
import { createRoomPublisher } from './publish.ts';
import { createMessageReader } from './read-messages.ts';

/** Bodies of the two body-less routes; the publish route sets its own limit from MAX_MESSAGE_BYTES. */
const BODY_LIMIT = 4096;

export interface RoomsAppDeps {
  config: RoomsAppConfig;
  store: Pick<ConnectionStore, 'listRoom' | 'roomConnections' | 'delete' | 'deleteGone' | 'markClosing' | 'userConnections' | 'tokenConnections'>;
  /** Bans and revocations (the socket stage's access table). */
  access: Pick<AccessStore, 'putBan' | 'deleteBan' | 'listBans' | 'revokeToken' | 'revokeUser'>;
  /** The shared fan-out, the very one `$default` uses for client publishes. */
  broadcaster: Broadcaster;
  /** The socket stage's message history, shared with `$default`; undefined = history off. */
  history?: HistoryStore | undefined;
  management: Pick<ManagementApi, 'post' | 'close'>;
  idempotency: IdempotencyStore;
  /** Large rooms: how a publish is sharded; absent = every publish fans out in this function. */
  sharding?: ShardingOptions | undefined;
  /** Sharded publishes' status (GET …/publishes/{publishId}); absent = that route answers 404. */
  publishStatus?: Pick<PublishStatusStore, 'get'> | undefined;
  /** Where `roomgate.message.published` goes for server publishes; none when absent. */
  events?: LifecycleEvents | undefined;
  cursors: ListingCursors;
  apiKeys?: ApiKeySource | undefined;
  /** The SigV4 caller; only the Lambda entry provides it. */
  iamIdentity?: ((request: FastifyRequest) => IamIdentity | undefined) | undefined;
  /** The function's one logger: domain lines and Fastify's own (http/fastify-logger.ts). */
  logger: JsonLogger;
  /** Publishes, deliveries, publish latency, throttles behind 5xx; default: none. */
  metrics?: Metrics | undefined;
  clock?: Clock;
  /** Default: this function's build-time code (`compiled-schemas.generated.cjs`); the generator passes its writers. */
  schemaCompilers?: SchemaCompilers | undefined;
}

/**
 * The Rooms API as its own Fastify app: it runs in its own Lambda function with its own role
 * (DynamoDB and ManageConnections, no signing key), behind the same HTTP API as the token routes.
 */
export function buildRoomsApp(deps: RoomsAppDeps): FastifyInstance {
  const { config, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const app = createHttpApp({
    logLevel: config.logLevel,
    bodyLimit: BODY_LIMIT,
    logger,
    metrics: deps.metrics,
    schemaCompilers: deps.schemaCompilers ?? precompiledCompilers(compiledSchemas),
  });
  void app.register(authentication, { iamCallers: config.iamCallers, iamIdentity: deps.iamIdentity, apiKeys: deps.apiKeys });
  const disconnector = createUserDisconnector({ store: deps.store, management: deps.management, logger });
  const accessControl = createAccessControl({
    access: deps.access,
    store: deps.store,
    disconnector,
    maxTokenLifetimeSeconds: config.maxTokenLifetimeSeconds + config.clockToleranceSeconds,
    clock,
    logger,
  });
  void app.register(revocationRoutes, { accessControl, clock, clockToleranceSeconds: config.clockToleranceSeconds });
  void app.register(roomsRoutes, {
    publisher: createRoomPublisher({
      broadcaster: deps.broadcaster,
      history: deps.history,
      idempotency: deps.idempotency,
      maxMessageBytes: config.maxMessageBytes,
      clock,
      logger,
      events: deps.events,
      sharding: deps.sharding,
      metrics: deps.metrics ?? noMetrics,
    }),
    publishStatus: deps.publishStatus,
    history: createMessageReader({ history: deps.history }),
    lister: createConnectionLister({ store: deps.store, cursors: deps.cursors, clock }),
    disconnector,
    accessControl,
    maxMessageBytes: config.maxMessageBytes,
  });
  return app;
}
