import { createBroadcaster, type Broadcaster } from '@roomgate/shared/fan-out';
import type { ConnectionStore } from '@roomgate/shared/connection-store';
import type { JsonLogger } from '@roomgate/shared/logger';
import type { ManagementApi } from '@roomgate/shared/management-api';
import type { TokenVerifier } from '@roomgate/shared/types';
import type { SocketConfig } from '../config.ts';
import { createBase } from './base.ts';
import { createManagement } from './management.ts';
import { createStore } from './store.ts';
import { createTokenVerifier } from './verifier.ts';

export { DYNAMODB_CLIENT_SETTINGS, MANAGEMENT_CLIENT_SETTINGS } from '@roomgate/shared/client-settings';

export interface Runtime {
  config: SocketConfig;
  logger: JsonLogger;
  verifier: TokenVerifier;
  store: ConnectionStore;
  management: ManagementApi;
  broadcaster: Broadcaster;
}

/**
 * Every real client the socket service uses, as `$default` wires them. The other entry points
 * build only their own parts from the same factories, so `$disconnect` loads neither the Secrets
 * Manager nor the management API client (docs/benchmarks.md, cold start). SDK clients connect
 * lazily, so building them costs no I/O.
 */
export function createRuntime(env: Record<string, string | undefined>): Runtime {
  const { config, logger } = createBase(env);
  const store = createStore(config);
  const management = createManagement(config);
  const verifier = createTokenVerifier(config, logger);
  const broadcaster = createBroadcaster({ store, management, concurrency: config.fanOutConcurrency, logger });
  return { config, logger, verifier, store, management, broadcaster };
}
