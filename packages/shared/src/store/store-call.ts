import { RoomgateError, StoreUnavailableError } from '../errors.ts';

/** Runs one SDK call of a store; `operation` names it in the error (`query`, `put`…). */
export type StoreCall = <T>(operation: string, run: () => Promise<T>) => Promise<T>;

export interface StoreCallOptions {
  /**
   * SDK errors the store handles itself, let through unchanged (e.g. a
   * `ConditionalCheckFailedException` the store turns into a named error or a retry).
   */
  passThrough?: (error: unknown) => boolean;
}

/**
 * The one place where a DynamoDB store converts what the SDK throws (network, throttling after
 * the client's retries, 5xx, access denied) into `StoreUnavailableError` (`ERR_STORE_UNAVAILABLE`,
 * a retryable 503 at every edge), with the SDK error as `cause` for the logs. Roomgate errors
 * thrown inside `run` pass through, as do the errors `passThrough` names. `store` names the store
 * in the message: `"connection store query failed"`.
 */
export function createStoreCall(store: string, options: StoreCallOptions = {}): StoreCall {
  return async (operation, run) => {
    try {
      return await run();
    } catch (cause) {
      if (cause instanceof RoomgateError || options.passThrough?.(cause)) throw cause;
      throw new StoreUnavailableError(`${store} ${operation} failed`, { cause });
    }
  };
}
