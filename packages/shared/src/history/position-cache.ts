/** The last message this container stored for a room. `publishedAt` is epoch seconds. */
export interface CachedPosition {
  epoch: string;
  seq: number;
  publishedAt: number;
}

/**
 * A per-container guess of each room's last seq, so a publish normally costs one PutItem and no
 * Query. Only a guess: another container may have published since, which the conditional put
 * detects. Least recently used rooms are dropped past `maxRooms` (a Map keeps insertion order).
 */
export class PositionCache {
  readonly #entries = new Map<string, CachedPosition>();
  readonly #maxRooms: number;

  constructor(maxRooms: number) {
    this.#maxRooms = Math.max(1, maxRooms);
  }

  get(roomId: string): CachedPosition | undefined {
    const entry = this.#entries.get(roomId);
    if (entry === undefined) return undefined;
    this.#entries.delete(roomId);
    this.#entries.set(roomId, entry);
    return entry;
  }

  set(roomId: string, position: CachedPosition): void {
    const current = this.#entries.get(roomId);
    // Concurrent publishes of one container may finish out of order; keep the highest seq.
    if (current !== undefined && current.epoch === position.epoch && current.seq > position.seq) return;
    this.#entries.delete(roomId);
    this.#entries.set(roomId, position);
    if (this.#entries.size > this.#maxRooms) this.#entries.delete(this.#entries.keys().next().value!);
  }

  delete(roomId: string): void {
    this.#entries.delete(roomId);
  }

  get size(): number {
    return this.#entries.size;
  }
}
