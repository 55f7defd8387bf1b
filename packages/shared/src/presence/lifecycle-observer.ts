import type { ConnectionObserver } from '../store/connection-observer.ts';
import type { LifecycleEvents } from '../events/lifecycle-event.ts';
import { systemClock, type Clock } from '../runtime/clock.ts';

/** `roomgate.connection.opened` / `.closed` for every row the store adds or removes. */
export function createLifecycleObserver(events: LifecycleEvents, clock: Clock = systemClock): ConnectionObserver {
  return {
    added: (record) =>
      events.emit({
        detailType: 'roomgate.connection.opened',
        detail: { roomId: record.roomId, ...(record.userId !== undefined ? { userId: record.userId } : {}), capabilities: record.capabilities, at: clock() },
      }),
    removed: (record, reason) =>
      events.emit({
        detailType: 'roomgate.connection.closed',
        detail: { roomId: record.roomId, ...(record.userId !== undefined ? { userId: record.userId } : {}), reason, at: clock() },
      }),
  };
}

/**
 * Tells every observer at once. In turn (presence posts first, the event after them) a handler
 * killed by its timeout while presence posts hung lost the event of a row it had already removed
 * (blind test, issue 16); at once, the one PutEvents call is sent without waiting for the posts.
 */
export function combineObservers(...observers: ConnectionObserver[]): ConnectionObserver {
  return {
    async added(record) {
      await Promise.all(observers.map((observer) => observer.added(record)));
    },
    async removed(record, reason) {
      await Promise.all(observers.map((observer) => observer.removed(record, reason)));
    },
  };
}
