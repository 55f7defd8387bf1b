import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  InternalServerError,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../../src/errors.ts';
import type { Broadcaster } from '../../../src/delivery/fan-out.ts';
import { createHistoryStore } from '../../../src/history/history-store.ts';
import { createMessagePublisher } from '../../../src/delivery/message-publisher.ts';

/**
 * Faults no local DynamoDB produces (throttling, 5xx after the SDK's retries, endless contention):
 * the rule under test is "nothing is delivered live that is not in history".
 */
const client = new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const dynamo = mockClient(client);
afterEach(() => dynamo.reset());

function setup() {
  const posted: string[] = [];
  const broadcaster: Broadcaster = {
    async broadcast(_roomId, payload) {
      // As the real broadcaster: nothing is posted before the payload (the stored frame) resolves.
      posted.push(String(await payload));
      return { delivered: 1, failed: 0, stale: 0 };
    },
  };
  const history = createHistoryStore({ client, tableName: 'history', ttlSeconds: 600, maxMessages: 1000 });
  return { posted, publisher: createMessagePublisher({ broadcaster, history, maxFrameBytes: 32 * 1024 }) };
}

const meta = { httpStatusCode: 400, attempts: 3, totalRetryDelay: 0 };

describe('a history write that fails is never fanned out', () => {
  it.each([
    ['throttled', () => new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: meta })],
    ['5xx', () => new InternalServerError({ message: 'boom', $metadata: { ...meta, httpStatusCode: 500 } })],
    ['timed out', () => Object.assign(new Error('socket hang up'), { name: 'TimeoutError' })],
  ])('put %s → StoreUnavailableError, nothing posted', async (_label, fault) => {
    dynamo.on(QueryCommand).resolves({ Items: [] });
    dynamo.on(PutItemCommand).rejects(fault());
    const { posted, publisher } = setup();
    const error = await publisher.publish({ roomId: 'r', data: 'hi' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error).toMatchObject({ code: 'ERR_STORE_UNAVAILABLE', message: 'history store put failed' });
    expect(posted).toEqual([]);
  });

  it('the position read failing → StoreUnavailableError, no put, nothing posted', async () => {
    dynamo.on(QueryCommand).rejects(new InternalServerError({ message: 'boom', $metadata: meta }));
    const { posted, publisher } = setup();
    await expect(publisher.publish({ roomId: 'r', data: 'hi' })).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
    expect(dynamo.commandCalls(PutItemCommand)).toHaveLength(0);
    expect(posted).toEqual([]);
  });

  it('endless contention gives up after 32 conditional puts (stepping on, re-reading every 4th) with a retryable error', async () => {
    // The room has history (seq 5), and every seq this publisher tries is taken by another.
    dynamo.on(QueryCommand).resolves({
      Items: [{ roomId: { S: 'r' }, seq: { N: '5' }, epoch: { S: 'e' }, frame: { S: '{}' }, publishedAt: { N: '1' }, expiresAt: { N: '9999999999' } }],
    });
    dynamo.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: 'taken', $metadata: meta }));
    const { posted, publisher } = setup();
    const error = await publisher.publish({ roomId: 'r', data: 'hi' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toMatch(/concurrent publishes/);
    expect(dynamo.commandCalls(PutItemCommand)).toHaveLength(32);
    // One read to start, then one after every 4th lost seq: the steps in between need none.
    expect(dynamo.commandCalls(QueryCommand)).toHaveLength(1 + 7);
    expect(posted).toEqual([]);
  });
});
