import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { CAPABILITIES, type Capability } from '../tokens/types.ts';

/**
 * The connections table's item shape, in one place: the store writes with `toItem` and reads
 * base-table rows with `toRecord` and `byRoom` index rows (only the projected attributes) with
 * `toMember`. The row types live here too, so the store imports this module and not the reverse.
 */

/** One row of the connections table. Times are epoch seconds. */
export interface ConnectionRecord {
  connectionId: string;
  roomId: string;
  userId?: string;
  capabilities: Capability[];
  connectedAt: number;
  /** `exp` of the token that currently authorises the connection; moved by a refresh. */
  tokenExpiresAt: number;
  /** `jti` of that token (moved by a refresh): a revocation by `jti` finds the connection through `byToken`. */
  tokenId?: string;
  /** `iat` of that token (moved by a refresh): a revocation by user and `issuedBefore` compares it. */
  tokenIssuedAt?: number;
  /** The publish rate limit's token bucket (apps/socket/src/admission/rate-limit.ts); absent until the first publish. */
  rateBucket?: RateBucket;
  /**
   * TTL attribute, and the liveness deadline readers compare: `lastSeenAt` + LIVENESS_WINDOW_SECONDS,
   * never past connectedAt + 2 h + margin (liveness.ts).
   */
  expiresAt: number;
  /** When the connection last sent a frame, written at most once a minute; absent on rows from before liveness. */
  lastSeenAt?: number;
  /**
   * Where the connection joined its room's stream (history/join-position.ts): the room's last seq
   * at `$connect`, 0 when it had no history. Absent when history was off, or on rows written before
   * it existed. Not projected into `byRoom`: only the connection's own `history` request reads it.
   */
  joinSeq?: number;
  /** The epoch `joinSeq` belongs to; absent when the room had no history at `$connect`. */
  joinEpoch?: string;
}

/** A token bucket: `tokens` left (fractional) as of `at` (epoch milliseconds). */
export interface RateBucket {
  tokens: number;
  at: number;
}

export type NewConnection = Omit<ConnectionRecord, 'connectedAt' | 'expiresAt' | 'lastSeenAt'> & { connectedAt?: number; expiresAt?: number };

/** What the `byRoom` index projects: what fan-out and the Rooms API's listing need, nothing more. */
export interface RoomMember {
  connectionId: string;
  roomId: string;
  userId?: string;
  capabilities: Capability[];
  /** Absent only on rows read through an index created before `connectedAt` was projected. */
  connectedAt?: number;
  /** The liveness deadline and TTL backstop; a member past it is closed even if DynamoDB has not deleted it yet. */
  expiresAt?: number;
}

/**
 * What one fan-out post needs of a member: where to post, who it is (a publish may exclude a
 * user), and its liveness deadline (a member past it is stale without a post). A shard reads only
 * these attributes (`ProjectionExpression`), so 10^5 members unmarshal a third of the `byRoom` item.
 */
export type FanOutTarget = Pick<RoomMember, 'connectionId' | 'userId' | 'expiresAt'>;

/** The `byRoom` attributes `toFanOutTarget` reads; a Query projects these and nothing else. */
export const FAN_OUT_TARGET_ATTRIBUTES = ['connectionId', 'userId', 'expiresAt'] as const;

export function toFanOutTarget(item: Record<string, AttributeValue>): FanOutTarget {
  const userId = item.userId?.S;
  const expiresAt = item.expiresAt?.N;
  return {
    connectionId: item.connectionId?.S ?? '',
    ...(userId !== undefined ? { userId } : {}),
    ...(expiresAt !== undefined ? { expiresAt: Number(expiresAt) } : {}),
  };
}

// A list rather than a string set: a set cannot be empty and its order is unspecified.
export const capList = (capabilities: Capability[]): AttributeValue => ({ L: capabilities.map((c) => ({ S: c })) });

export function toItem(record: ConnectionRecord): Record<string, AttributeValue> {
  return {
    connectionId: { S: record.connectionId },
    roomId: { S: record.roomId },
    ...(record.userId !== undefined ? { userId: { S: record.userId } } : {}),
    cap: capList(record.capabilities),
    connectedAt: { N: String(record.connectedAt) },
    tokenExpiresAt: { N: String(record.tokenExpiresAt) },
    ...(record.tokenId !== undefined ? { tokenId: { S: record.tokenId } } : {}),
    ...(record.tokenIssuedAt !== undefined ? { tokenIssuedAt: { N: String(record.tokenIssuedAt) } } : {}),
    expiresAt: { N: String(record.expiresAt) },
    ...(record.lastSeenAt !== undefined ? { lastSeenAt: { N: String(record.lastSeenAt) } } : {}),
    ...(record.joinSeq !== undefined ? { joinSeq: { N: String(record.joinSeq) } } : {}),
    ...(record.joinEpoch !== undefined ? { joinEpoch: { S: record.joinEpoch } } : {}),
  };
}

export function toRecord(item: Record<string, AttributeValue>): ConnectionRecord {
  const userId = item.userId?.S;
  const tokenId = item.tokenId?.S;
  const tokenIssuedAt = item.tokenIssuedAt?.N;
  const rateTokens = item.rateTokens?.N;
  const rateAt = item.rateAt?.N;
  const joinSeq = item.joinSeq?.N;
  const joinEpoch = item.joinEpoch?.S;
  return {
    connectionId: item.connectionId?.S ?? '',
    roomId: item.roomId?.S ?? '',
    ...(userId !== undefined ? { userId } : {}),
    capabilities: toCapabilities(item.cap),
    connectedAt: Number(item.connectedAt?.N ?? 0),
    tokenExpiresAt: Number(item.tokenExpiresAt?.N ?? 0),
    ...(tokenId !== undefined ? { tokenId } : {}),
    ...(tokenIssuedAt !== undefined ? { tokenIssuedAt: Number(tokenIssuedAt) } : {}),
    ...(rateTokens !== undefined && rateAt !== undefined ? { rateBucket: { tokens: Number(rateTokens), at: Number(rateAt) } } : {}),
    expiresAt: Number(item.expiresAt?.N ?? 0),
    ...(item.lastSeenAt?.N !== undefined ? { lastSeenAt: Number(item.lastSeenAt.N) } : {}),
    ...(joinSeq !== undefined ? { joinSeq: Number(joinSeq) } : {}),
    ...(joinEpoch !== undefined ? { joinEpoch } : {}),
  };
}

export function toMember(item: Record<string, AttributeValue>): RoomMember {
  const userId = item.userId?.S;
  const connectedAt = item.connectedAt?.N;
  const expiresAt = item.expiresAt?.N;
  return {
    connectionId: item.connectionId?.S ?? '',
    roomId: item.roomId?.S ?? '',
    ...(userId !== undefined ? { userId } : {}),
    capabilities: toCapabilities(item.cap),
    ...(connectedAt !== undefined ? { connectedAt: Number(connectedAt) } : {}),
    ...(expiresAt !== undefined ? { expiresAt: Number(expiresAt) } : {}),
  };
}

// Unknown values are dropped rather than trusted: the table is shared state, the grant is not.
function toCapabilities(value: AttributeValue | undefined): Capability[] {
  const raw = value?.L?.map((v) => v.S) ?? value?.SS ?? [];
  return raw.filter((c): c is Capability => (CAPABILITIES as readonly (string | undefined)[]).includes(c));
}
