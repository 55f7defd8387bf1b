import { systemClock, type Clock } from './clock.ts';

export interface CachedValueOptions {
  /** After this many seconds the next `get` reloads; a failed reload keeps serving the old value. */
  maxAgeSeconds: number;
  clock?: Clock;
  /** Called when a reload fails while a previous value is still served. */
  onStaleError?: (error: unknown) => void;
  /** Called once per failed load, first or stale (a metric counts key-load failures with it). */
  onLoadError?: (error: unknown) => void;
}

/**
 * A value loaded on first use and kept for the container's life, refreshed after `maxAgeSeconds`.
 * Concurrent callers share one load. A failed first load is not cached: the next call retries.
 */
export class CachedValue<T> {
  readonly #load: () => Promise<T>;
  readonly #options: CachedValueOptions;
  readonly #clock: Clock;
  #value: { value: T; loadedAt: number } | undefined;
  #inFlight: Promise<T> | undefined;

  constructor(load: () => Promise<T>, options: CachedValueOptions) {
    this.#load = load;
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** Seconds since the current value was loaded, or undefined before the first load. */
  get age(): number | undefined {
    return this.#value === undefined ? undefined : this.#clock() - this.#value.loadedAt;
  }

  async get(): Promise<T> {
    const cached = this.#value;
    if (cached !== undefined && this.#clock() - cached.loadedAt < this.#options.maxAgeSeconds) return cached.value;
    if (cached === undefined) return this.refresh();
    try {
      return await this.refresh();
    } catch (error) {
      this.#options.onStaleError?.(error);
      return cached.value;
    }
  }

  /** Loads now (joining a load already under way). Throws what the loader throws. */
  refresh(): Promise<T> {
    this.#inFlight ??= this.#load().then(
      (value) => {
        this.#value = { value, loadedAt: this.#clock() };
        this.#inFlight = undefined;
        return value;
      },
      (error: unknown) => {
        this.#inFlight = undefined;
        this.#options.onLoadError?.(error);
        throw error;
      },
    );
    return this.#inFlight;
  }
}
