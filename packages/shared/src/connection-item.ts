import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { ConnectionRecord, RoomMember } from './connection-store.ts';
import { CAPABILITIES, type Capability } from './types.ts';

/**
 * The connections table's item shape, in one place: the store writes with `toItem` and reads
 * base-table rows with `toRecord` and `byRoom` index rows (only the projected attributes) with
 * `toMember`.
 */

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
    expiresAt: { N: String(record.expiresAt) },
  };
}

export function toRecord(item: Record<string, AttributeValue>): ConnectionRecord {
  const userId = item.userId?.S;
  return {
    connectionId: item.connectionId?.S ?? '',
    roomId: item.roomId?.S ?? '',
    ...(userId !== undefined ? { userId } : {}),
    capabilities: toCapabilities(item.cap),
    connectedAt: Number(item.connectedAt?.N ?? 0),
    tokenExpiresAt: Number(item.tokenExpiresAt?.N ?? 0),
    expiresAt: Number(item.expiresAt?.N ?? 0),
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
