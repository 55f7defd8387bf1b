import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { loadEventBridgeSdk } from '../runtime/eventbridge-client.ts';
import { clientOf, type ClientRef } from '../runtime/lazy-client.ts';
import { describeError, type Logger } from '../runtime/logger.ts';
import { EVENT_SOURCE, type LifecycleEvent, type LifecycleEvents } from './lifecycle-event.ts';

export interface EventBridgeEventsOptions {
  /** A client, or one built on the first event (the SDK package is not loaded before: runtime/lazy-client.ts). */
  client: ClientRef<Pick<EventBridgeClient, 'send'>>;
  /** The stage's bus (`roomgate-<stage>`, declared by the socket service). */
  busName: string;
  /** Added to every `detail` so one rule can serve several stages' buses. */
  stage: string;
  logger: Logger;
}

/**
 * Sends each event with one `PutEvents` on the stage's bus. A failed call, or an entry EventBridge
 * refused (`FailedEntryCount`), is logged at error level and dropped: the event describes work
 * that is already done, and failing that work now would be worse than a missing event
 * (docs/rooms-api.md, "Guarantees").
 */
export function createEventBridgeEvents(options: EventBridgeEventsOptions): LifecycleEvents {
  const { client, busName, stage, logger } = options;
  return {
    async emit(event: LifecycleEvent) {
      const entry = { Source: EVENT_SOURCE, DetailType: event.detailType, EventBusName: busName, Detail: JSON.stringify({ stage, ...event.detail }) };
      try {
        const [{ PutEventsCommand }, events] = await Promise.all([loadEventBridgeSdk(), clientOf(client)]);
        const result = await events.send(new PutEventsCommand({ Entries: [entry] }));
        if ((result.FailedEntryCount ?? 0) > 0) {
          const failed = result.Entries?.find((e) => e.ErrorCode !== undefined);
          logger.error('event not accepted', {
            detailType: event.detailType,
            roomId: event.detail.roomId,
            code: failed?.ErrorCode,
            reason: failed?.ErrorMessage,
          });
        }
      } catch (error) {
        logger.error('event not sent', {
          detailType: event.detailType,
          roomId: event.detail.roomId,
          error: error instanceof Error ? describeError(error) : String(error),
        });
      }
    },
  };
}
