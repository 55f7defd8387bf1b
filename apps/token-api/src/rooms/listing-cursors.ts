import { randomBytes } from 'node:crypto';
import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createStoreCall } from '@roomgate/shared/store';
import { systemClock, type Clock } from '@roomgate/shared/runtime';
import { ListingCursorError } from './errors.ts';

/** Who a cursor was handed to; a cursor only continues the listing it came from. */
export interface CursorBinding {
  roomId: string;
  /** `<caller kind>:<caller id>` */
  callerId: string;
}

export interface ListingCursors {
  /** Keeps the connection store's position; returns the id handed to the caller as `nextCursor`. */
  save(binding: CursorBinding, position: string): Promise<string>;
  /** The position behind `id`. Throws ListingCursorError when unknown, expired or bound elsewhere. */
  load(id: string, binding: CursorBinding): Promise<string>;
}

export interface ListingCursorsOptions {
  client: DynamoDBClient;
  tableName: string;
  /** A listing is expected to be paged through at once; 15 min is generous. */
  ttlSeconds?: number;
  clock?: Clock;
}

/** Random, URL-safe, 24 characters: the shape `nextCursor` always has. */
export const LISTING_CURSOR_PATTERN_SOURCE = '^[A-Za-z0-9_-]{24}$';

/**
 * Server-side listing cursors. The connection store's own cursor is DynamoDB's LastEvaluatedKey,
 * which holds a connection id — a handle anyone with ManageConnections rights can post to or
 * close — so callers get a random reference to it instead, stored in the rooms table under
 * `pk = cursor#<id>`, bound to the room and the caller, for `ttlSeconds`.
 */
export function createListingCursors(options: ListingCursorsOptions): ListingCursors {
  const { client, tableName } = options;
  const clock = options.clock ?? systemClock;
  const ttlSeconds = options.ttlSeconds ?? 15 * 60;

  const send = createStoreCall('listing cursor');

  return {
    async save(binding, position) {
      const id = randomBytes(18).toString('base64url');
      await send('save', () =>
        client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              pk: { S: `cursor#${id}` },
              roomId: { S: binding.roomId },
              caller: { S: binding.callerId },
              position: { S: position },
              expiresAt: { N: String(clock() + ttlSeconds) },
            },
          }),
        ),
      );
      return id;
    },

    async load(id, binding) {
      const { Item: item } = await send('load', () => client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: `cursor#${id}` } } })));
      const valid =
        item !== undefined &&
        item.roomId?.S === binding.roomId &&
        item.caller?.S === binding.callerId &&
        Number(item.expiresAt?.N ?? 0) > clock() &&
        typeof item.position?.S === 'string';
      if (!valid) throw new ListingCursorError();
      return item.position!.S!;
    },
  };
}
