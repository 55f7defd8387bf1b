import { randomBytes } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { createStoreCall } from '@roomgate/shared/store';
import type { BroadcastResult } from '@roomgate/shared/delivery';
import { systemClock, type Clock, type Logger } from '@roomgate/shared/runtime';
import { IdempotencyInProgressError, IdempotencyKeyReusedError } from './errors.ts';

/** What a publish answered; `seq`/`epoch` when the stage runs with history (kept for replays). */
export interface PublishResult extends BroadcastResult {
  /** Absent only on a key completed by a publish that was stored but not delivered. */
  publishId?: string;
  /** A large room's publish handed to shards (answered 202). */
  queued?: { shards: number };
  seq?: number;
  epoch?: string;
}

export type IdempotencyClaim =
  /** First use of the key: deliver, then `complete` (or `release` when delivery could not run). */
  | { outcome: 'claimed'; complete(result: PublishResult): Promise<void>; release(): Promise<void> }
  /** The key was used before with the same body: answer the first result, deliver nothing. */
  | { outcome: 'replayed'; result: PublishResult };

export interface IdempotencyStore {
  /**
   * Claims `scope` (room + caller + key) for one delivery of the request whose body hashes to
   * `fingerprint`. Throws IdempotencyKeyReusedError (same key, other body), IdempotencyInProgressError
   * (a live claim by a concurrent request) or StoreUnavailableError.
   */
  claim(scope: string, fingerprint: string): Promise<IdempotencyClaim>;
}

export interface IdempotencyStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** How long a key is remembered (the TTL attribute; readers also check it, DynamoDB deletes late). */
  ttlSeconds: number;
  /**
   * How long a claim blocks retries before another request may take it over. Longer than the
   * function's timeout: a claim older than that belongs to an invocation that died mid-delivery.
   */
  leaseSeconds?: number;
  clock?: Clock;
  logger: Logger;
}

const PENDING = 'pending';
const DONE = 'done';
const ATTEMPTS = 3;

/**
 * Idempotency records in the rooms table: one conditional PutItem claims a key, so of two
 * concurrent requests with the same key exactly one delivers (no transactions needed, dynalite
 * has none). Item: `pk = idem#<scope>`, `st` pending|done, `fp` body hash, `lease` claim id,
 * `leaseUntil`, the result counts (and the message's `seq`/`epoch`) and `expiresAt` (TTL).
 */
export function createIdempotencyStore(options: IdempotencyStoreOptions): IdempotencyStore {
  const { client, tableName, logger } = options;
  const clock = options.clock ?? systemClock;
  const leaseSeconds = options.leaseSeconds ?? 60;

  const send = createStoreCall('idempotency store', { passThrough: (error) => error instanceof ConditionalCheckFailedException });

  const tryPut = async (pk: string, fingerprint: string, lease: string): Promise<boolean> => {
    const now = clock();
    try {
      await send('put', () =>
        client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              pk: { S: pk },
              st: { S: PENDING },
              fp: { S: fingerprint },
              lease: { S: lease },
              leaseUntil: { N: String(now + leaseSeconds) },
              expiresAt: { N: String(now + options.ttlSeconds) },
            },
            // A fresh key, a key past its TTL that DynamoDB has not deleted yet, or an abandoned
            // claim (lease over) for the same body.
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now OR (st = :pending AND leaseUntil <= :now AND fp = :fp)',
            ExpressionAttributeValues: { ':now': { N: String(now) }, ':pending': { S: PENDING }, ':fp': { S: fingerprint } },
          }),
        ),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  };

  const claimed = (pk: string, lease: string): IdempotencyClaim => ({
    outcome: 'claimed',
    async complete(result) {
      try {
        await send('complete', () =>
          client.send(
            new UpdateItemCommand({
              TableName: tableName,
              Key: { pk: { S: pk } },
              UpdateExpression: `SET st = :done, delivered = :d, failed = :f, stale = :s${result.seq === undefined ? '' : ', msgSeq = :seq, msgEpoch = :epoch'}${
                result.publishId === undefined ? '' : ', pubId = :pid'
              }${result.queued === undefined ? '' : ', shards = :shards'} REMOVE leaseUntil`,
              ConditionExpression: 'lease = :lease',
              ExpressionAttributeValues: {
                ':done': { S: DONE },
                ':d': { N: String(result.delivered) },
                ':f': { N: String(result.failed) },
                ':s': { N: String(result.stale) },
                ':lease': { S: lease },
                ...(result.seq === undefined ? {} : { ':seq': { N: String(result.seq) }, ':epoch': { S: result.epoch ?? '' } }),
                ...(result.publishId === undefined ? {} : { ':pid': { S: result.publishId } }),
                ...(result.queued === undefined ? {} : { ':shards': { N: String(result.queued.shards) } }),
              },
            }),
          ),
        );
      } catch (error) {
        // Only possible when this delivery outlived its lease and a retry took the key over.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        logger.warn('idempotency claim lost before completion', { pk });
      }
    },
    async release() {
      try {
        await send('release', () =>
          client.send(
            new DeleteItemCommand({
              TableName: tableName,
              Key: { pk: { S: pk } },
              ConditionExpression: 'lease = :lease',
              ExpressionAttributeValues: { ':lease': { S: lease } },
            }),
          ),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
  });

  return {
    async claim(scope, fingerprint) {
      const pk = `idem#${scope}`;
      const lease = randomBytes(12).toString('base64url');
      // Each lost race re-reads; a record that vanished or expired between the put and the read
      // is claimed on the next attempt.
      for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
        if (await tryPut(pk, fingerprint, lease)) return claimed(pk, lease);
        const existing = await send('get', () => client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: pk } }, ConsistentRead: true })));
        const item = existing.Item;
        if (item === undefined || number(item.expiresAt) <= clock()) continue;
        if (item.fp?.S !== fingerprint) throw new IdempotencyKeyReusedError();
        if (item.st?.S === DONE) return { outcome: 'replayed', result: resultOf(item) };
        if (number(item.leaseUntil) > clock()) throw new IdempotencyInProgressError();
      }
      throw new IdempotencyInProgressError();
    },
  };
}

const number = (value: AttributeValue | undefined): number => Number(value?.N ?? 0);

const resultOf = (item: Record<string, AttributeValue>): PublishResult => ({
  delivered: number(item.delivered),
  failed: number(item.failed),
  stale: number(item.stale),
  ...(item.msgSeq?.N === undefined ? {} : { seq: number(item.msgSeq), epoch: item.msgEpoch?.S ?? '' }),
  ...(item.pubId?.S === undefined ? {} : { publishId: item.pubId.S }),
  ...(item.shards?.N === undefined ? {} : { queued: { shards: number(item.shards) } }),
});
