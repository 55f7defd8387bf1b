import {
  DeleteConnectionCommand,
  GoneException,
  LimitExceededException,
  PostToConnectionCommand,
  type ApiGatewayManagementApiClient,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { createManagementApi, type ManagementApi } from '@roomgate/shared/delivery';
import { TokenBucket } from './token-bucket.ts';

/**
 * Bench only, never production: API Gateway's management API in process, so fan-out to 10^4–10^5
 * members can be measured on a 2-core machine without 10^5 sockets or the SDK's per-call CPU
 * (measured on its own in the large-room section).
 *
 * It stands in for the SDK client, not for roomgate's `ManagementApi`: `api` is the production
 * `createManagementApi` over this client, so a throttle or a 410 reaches the fan-out as the same
 * domain error, converted by the same code, as the SDK's `LimitExceededException` (429) and
 * `GoneException` (410) would be. The SDK's own retries are not simulated: every 429 reaches the
 * caller.
 */
export interface ManagementApiSimulatorOptions {
  /** Each answer (200, 429 or 410) comes after a delay drawn uniformly from [min, max] milliseconds. Default 10–40. */
  latencyMs?: { min: number; max: number };
  /** The account-wide throttle. Default 10,000 requests/s, burst 5,000. */
  quota?: { ratePerSecond: number; burst: number };
  /**
   * Share of connections (0–1) that are gone and answer 410. Which ones is a hash of the
   * connection id, so a connection answers alike on every post and `isGone` tells the bench.
   */
  goneFraction?: number;
  /**
   * The message a frame carries, to tell a second delivery of the same message from the next
   * message. Called once per distinct `Uint8Array` (a fan-out posts the same bytes to every member).
   */
  messageIdOf: (frame: Uint8Array) => string;
  /** milliseconds; performance.now by default */
  now?: () => number;
  /** [0, 1); Math.random by default */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface SimulatorStats {
  /** PostToConnection requests answered, whatever the answer */
  requests: number;
  /** 200s: each one a frame a member received */
  delivered: number;
  /** 429s */
  throttled: number;
  /** 410s */
  gone: number;
  /** 200s for a (connection, message) pair that had been delivered before */
  duplicates: number;
  /** DeleteConnection requests */
  closes: number;
  /** `now()` when the last 200 was answered; undefined before the first */
  lastDeliveryAt: number | undefined;
}

export interface ManagementApiSimulator {
  /** The production ManagementApi over the simulated endpoint. */
  api: ManagementApi;
  stats(): SimulatorStats;
  /** Whether the connection answers 410 (see goneFraction). */
  isGone(connectionId: string): boolean;
  /** How many times `messageId` was delivered (200) to `connectionId`. */
  deliveries(messageId: string, connectionId: string): number;
}

export function createManagementApiSimulator(options: ManagementApiSimulatorOptions): ManagementApiSimulator {
  const latency = options.latencyMs ?? { min: 10, max: 40 };
  const quota = options.quota ?? { ratePerSecond: 10_000, burst: 5_000 };
  const goneFraction = options.goneFraction ?? 0;
  const now = options.now ?? (() => performance.now());
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const bucket = new TokenBucket({ ...quota, now });
  const stats: SimulatorStats = { requests: 0, delivered: 0, throttled: 0, gone: 0, duplicates: 0, closes: 0, lastDeliveryAt: undefined };
  const delivered = new Map<string, Map<string, number>>();
  const messageIds = new WeakMap<Uint8Array, string>();

  const isGone = (connectionId: string): boolean => goneFraction > 0 && unitHash(connectionId) < goneFraction;
  const messageIdOf = (frame: Uint8Array): string => {
    let id = messageIds.get(frame);
    if (id === undefined) messageIds.set(frame, (id = options.messageIdOf(frame)));
    return id;
  };
  const roundTrip = () => sleep(latency.min + random() * (latency.max - latency.min));

  const post = async (connectionId: string, frame: Uint8Array): Promise<void> => {
    // The throttle counts a request when it arrives; its answer still takes a round trip.
    const admitted = bucket.take();
    await roundTrip();
    stats.requests += 1;
    if (!admitted) {
      stats.throttled += 1;
      throw new LimitExceededException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } });
    }
    if (isGone(connectionId)) {
      stats.gone += 1;
      throw new GoneException({ message: '', $metadata: { httpStatusCode: 410 } });
    }
    const messageId = messageIdOf(frame);
    let byConnection = delivered.get(messageId);
    if (byConnection === undefined) delivered.set(messageId, (byConnection = new Map()));
    const times = byConnection.get(connectionId) ?? 0;
    byConnection.set(connectionId, times + 1);
    stats.delivered += 1;
    if (times > 0) stats.duplicates += 1;
    stats.lastDeliveryAt = now();
  };

  // Only `send` is what createManagementApi calls on its client.
  const client = {
    async send(command: unknown): Promise<object> {
      if (command instanceof PostToConnectionCommand) {
        const { ConnectionId, Data } = command.input;
        if (ConnectionId === undefined || !(Data instanceof Uint8Array)) throw new TypeError('PostToConnection needs ConnectionId and Data bytes');
        await post(ConnectionId, Data);
        return { $metadata: { httpStatusCode: 200 } };
      }
      if (command instanceof DeleteConnectionCommand) {
        await roundTrip();
        stats.closes += 1;
        if (isGone(command.input.ConnectionId ?? '')) throw new GoneException({ message: '', $metadata: { httpStatusCode: 410 } });
        return { $metadata: { httpStatusCode: 204 } };
      }
      throw new TypeError(`the management API simulator does not answer ${(command as object).constructor.name}`);
    },
  };

  return {
    api: createManagementApi({ client: client as unknown as ApiGatewayManagementApiClient }),
    stats: () => ({ ...stats }),
    isGone,
    deliveries: (messageId, connectionId) => delivered.get(messageId)?.get(connectionId) ?? 0,
  };
}

/** FNV-1a of the id, as a number in [0, 1): stable per connection, spread evenly over ids. */
function unitHash(value: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i += 1) {
    hash ^= value.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) / 2 ** 32;
}
