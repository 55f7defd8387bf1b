import type { Timers } from './types.ts';

/** Named one-shot timers: scheduling a name again replaces it, so no timer is ever orphaned. */
export interface TimerSet<Name extends string> {
  schedule(name: Name, ms: number, callback: () => void): void;
  cancel(name: Name): void;
  cancelAll(): void;
  /** Whether a timer of that name is waiting. */
  has(name: Name): boolean;
}

export function createTimerSet<Name extends string>(timers: Timers): TimerSet<Name> {
  const handles = new Map<Name, unknown>();
  const cancel = (name: Name) => {
    if (!handles.has(name)) return;
    timers.clearTimeout(handles.get(name));
    handles.delete(name);
  };
  return {
    schedule(name, ms, callback) {
      cancel(name);
      handles.set(
        name,
        timers.setTimeout(() => {
          handles.delete(name);
          callback();
        }, ms),
      );
    },
    cancel,
    has: (name) => handles.has(name),
    cancelAll() {
      for (const name of [...handles.keys()]) cancel(name);
    },
  };
}

export const systemTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0]),
};
