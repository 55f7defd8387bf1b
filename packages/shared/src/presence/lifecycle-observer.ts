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

/** Tells each observer in turn (presence first: members hear of a join before backends do). */
export function combineObservers(...observers: ConnectionObserver[]): ConnectionObserver {
  return {
    async added(record) {
      for (const observer of observers) await observer.added(record);
    },
    async removed(record, reason) {
      for (const observer of observers) await observer.removed(record, reason);
    },
  };
}
