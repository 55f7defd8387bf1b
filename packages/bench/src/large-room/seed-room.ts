import { randomBytes } from 'node:crypto';
import { BatchWriteItemCommand, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { connectionCap, livenessDeadline, toItem, type ConnectionRecord } from '@roomgate/shared/store';
import { DEFAULT_CAPABILITIES } from '@roomgate/shared/tokens';

/** DynamoDB's BatchWriteItem limit. */
const BATCH = 25;
/** Batches in flight: dynalite is one event loop, more only queue there. */
const IN_FLIGHT = 4;

/**
 * Writes `size` connection rows of one room, shaped by the store's own item builder (`toItem`)
 * with the times `ConnectionStore.put` gives a new row (`lastSeenAt` = `connectedAt`, `expiresAt`
 * its liveness deadline). `connectedAt` is `connectedAgoSeconds` in the past: older than the
 * handshake window, so a 410 deletes the row as it would in production, and young enough that
 * no row is past its liveness deadline while the bench runs (~11 minutes). Returns the ids.
 */
export async function seedRoom(
  client: DynamoDBClient,
  tableName: string,
  roomId: string,
  size: number,
  options: { connectedAgoSeconds?: number; progress?: (written: number) => void } = {},
): Promise<string[]> {
  const connectedAt = Math.floor(Date.now() / 1000) - (options.connectedAgoSeconds ?? 60);
  const expiresAt = livenessDeadline(connectedAt, connectionCap(connectedAt));
  const ids = Array.from({ length: size }, () => connectionId());
  const batches: WriteRequest[][] = [];
  for (let i = 0; i < size; i += BATCH) {
    batches.push(
      ids.slice(i, i + BATCH).map((id, j) => {
        const record: ConnectionRecord = {
          connectionId: id,
          roomId,
          userId: `user-${i + j}`,
          capabilities: [...DEFAULT_CAPABILITIES],
          connectedAt,
          tokenExpiresAt: connectedAt + 3600,
          tokenId: randomBytes(16).toString('base64url'),
          tokenIssuedAt: connectedAt - 5,
          lastSeenAt: connectedAt,
          expiresAt,
        };
        return { PutRequest: { Item: toItem(record) } };
      }),
    );
  }
  let next = 0;
  let written = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < batches.length) {
        let requests = batches[next++]!;
        const count = requests.length;
        while (requests.length > 0) {
          const result = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }));
          requests = result.UnprocessedItems?.[tableName] ?? [];
        }
        written += count;
        options.progress?.(written);
      }
    }),
  );
  return ids;
}

/** An id shaped like API Gateway's: 16 base64 characters, e.g. `L0SM9cOFvHcCIhw=`. */
const connectionId = (): string => randomBytes(11).toString('base64');
