import { ConditionalCheckFailedException, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { ConnectionNotFoundError, StoreUnavailableError } from '../../../src/errors.ts';
import { createStoreCall } from '../../../src/store/store-call.ts';

const throttled = () => new ProvisionedThroughputExceededException({ $metadata: {}, message: 'slow down' });
const lostRace = () => new ConditionalCheckFailedException({ $metadata: {}, message: 'The conditional request failed' });

describe('createStoreCall: SDK errors become StoreUnavailableError in one place', () => {
  it('returns what the call returns', async () => {
    expect(await createStoreCall('connection store')('get', async () => 42)).toBe(42);
  });

  it('wraps an SDK error, naming the store and the operation, the SDK error as cause', async () => {
    const cause = throttled();
    const error = await createStoreCall('history store')('query', () => Promise.reject(cause)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error).toMatchObject({ code: 'ERR_STORE_UNAVAILABLE', message: 'history store query failed', cause });
  });

  it('lets roomgate errors through unchanged', async () => {
    const error = new ConnectionNotFoundError();
    await expect(createStoreCall('connection store')('update', () => Promise.reject(error))).rejects.toBe(error);
  });

  it('lets through the SDK errors the store handles itself, and only those', async () => {
    const call = createStoreCall('history store', { passThrough: (e) => e instanceof ConditionalCheckFailedException });
    const race = lostRace();
    await expect(call('put', () => Promise.reject(race))).rejects.toBe(race);
    await expect(call('put', () => Promise.reject(throttled()))).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
