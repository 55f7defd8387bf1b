/**
 * An AWS SDK client built on first use. The factories of the SDK packages a function may never
 * call (management API, EventBridge, Lambda, Secrets Manager) return one: the package is loaded
 * by a dynamic `import()` when `get()` is first called, not when the bundle loads. A static
 * `import` cannot be deferred: with `@aws-sdk/*` external, esbuild keeps (and hoists to the
 * bundle's top) every static import of a package it reaches, used or not (docs/benchmarks.md,
 * "Cold start, third pass").
 */
export class LazyClient<C> {
  readonly #build: () => Promise<C>;
  #client: Promise<C> | undefined;

  /** `build` imports the SDK package and constructs the client; it runs once (again only after a failure). */
  constructor(build: () => Promise<C>) {
    this.#build = build;
  }

  /** The client, built on the first call; concurrent first calls share one build, a failed build is retried. */
  get(): Promise<C> {
    this.#client ??= this.#build().catch((error: unknown) => {
      this.#client = undefined;
      throw error;
    });
    return this.#client;
  }
}

/** What the SDK wrappers (management API, events, secret reader, shard dispatcher) accept: a client, or one built on first use. */
export type ClientRef<C> = C | LazyClient<C>;

/** The client behind `ref`, building it if it is lazy and not built yet. */
export function clientOf<C>(ref: ClientRef<C>): Promise<C> {
  return ref instanceof LazyClient ? (ref.get() as Promise<C>) : Promise.resolve(ref);
}

/**
 * `load`, called once and its result kept (a failure is not: the next call tries again). Loads an
 * SDK package's module namespace for the wrappers that need its commands.
 */
export function loadOnce<M>(load: () => Promise<M>): () => Promise<M> {
  const lazy = new LazyClient(load);
  return () => lazy.get();
}
