/**
 * A slice of one room's `byRoom` index by its sort key, `connectionId`. At most one lower bound
 * (`after` exclusive, `from` inclusive) and one upper bound (`until` exclusive, `through`
 * inclusive); a missing bound is open. Keys compare as DynamoDB compares S sort keys: by their
 * UTF-8 bytes (DynamoDB Developer Guide, "Comparison operator and function reference"), which is
 * not JavaScript's UTF-16 `<` once a key leaves the BMP.
 */
export interface KeyRange {
  after?: string;
  from?: string;
  until?: string;
  through?: string;
}

/** How a room larger than one page is cut: the ranges, in key order, disjoint and covering every key. */
export interface ShardPlan {
  ranges: KeyRange[];
  /** The room size the plan was made for (an estimate from the first page; balance only, never correctness). */
  estimatedMembers: number;
}

export interface ShardPlanOptions {
  /** Keys of the room's first page, in index order; the last one is where the first shard ends. */
  firstPageKeys: readonly string[];
  /** Target members per shard. */
  shardSize: number;
  /** Most shards one publish may start (including the first page's). */
  maxShards: number;
}

const encoder = new TextEncoder();

/** DynamoDB's order for S keys: byte-wise on UTF-8. Negative, zero or positive like `Array#sort`. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(encoder.encode(a), encoder.encode(b));
}

/** Whether `key` lies in `range` (used to drop the bound a BETWEEN query returns but the range excludes). */
export function inKeyRange(key: string, range: KeyRange): boolean {
  if (range.after !== undefined && compareKeys(key, range.after) <= 0) return false;
  if (range.from !== undefined && compareKeys(key, range.from) < 0) return false;
  if (range.until !== undefined && compareKeys(key, range.until) >= 0) return false;
  if (range.through !== undefined && compareKeys(key, range.through) > 0) return false;
  return true;
}

/**
 * Cuts a room whose first page ended at the last of `firstPageKeys` into shards without reading
 * the rest of it: shard 0 is the first page (`through` its last key), the others split what comes
 * after at synthetic boundary keys. Whatever the boundaries, the ranges are `(…, last]`,
 * `(last, b1)`, `[b1, b2)`, …, `[bn, …)`: disjoint and covering every possible key, in any
 * alphabet. The boundaries only decide balance: they are spread evenly over the byte range the
 * first page's keys use (API Gateway's ids are random, so a room's keys spread evenly over their
 * alphabet), and the same spread estimates the room's size from how far the first page reached.
 */
export function planShards(options: ShardPlanOptions): ShardPlan {
  const keys = options.firstPageKeys;
  const last = keys.at(-1);
  if (last === undefined) return { ranges: [{}], estimatedMembers: 0 };
  const maxShards = Math.max(1, Math.floor(options.maxShards));
  const shardSize = Math.max(1, Math.floor(options.shardSize));
  const head: KeyRange = { through: last };
  const alphabet = byteSpan(keys);
  if (alphabet === undefined || maxShards === 1) return { ranges: [head, { after: last }], estimatedMembers: keys.length };

  const digits = digitsFor(alphabet.base, maxShards);
  const reached = fraction(last, alphabet, digits);
  // A first page reaching fraction f of the key space suggests a room of about count / f members.
  const estimatedMembers = reached > 0 ? Math.ceil(keys.length / reached) : keys.length * maxShards * shardSize;
  const rest = Math.max(0, estimatedMembers - keys.length);
  const count = Math.min(maxShards - 1, Math.max(1, Math.ceil(rest / shardSize)));

  const boundaries: string[] = [];
  for (let i = 1; i < count; i += 1) {
    const key = keyAt(reached + ((1 - reached) * i) / count, alphabet, digits);
    const previous = boundaries.at(-1) ?? last;
    // Rounding can repeat a boundary or land at or below the first page's end: skip it (one shard fewer).
    if (compareKeys(key, previous) > 0) boundaries.push(key);
  }
  const ranges: KeyRange[] = [head];
  let lower: KeyRange = { after: last };
  for (const boundary of boundaries) {
    ranges.push({ ...lower, until: boundary });
    lower = { from: boundary };
  }
  ranges.push(lower);
  return { ranges, estimatedMembers };
}

interface ByteSpan {
  low: number;
  base: number;
}

// Boundaries are built from ASCII bytes only, so every boundary is a valid UTF-8 string. Keys
// outside the span still land in a range (the first or last one); only balance suffers.
function byteSpan(keys: readonly string[]): ByteSpan | undefined {
  let low = 0x7f;
  let high = 0;
  for (const key of keys) {
    for (const byte of encoder.encode(key)) {
      if (byte > 0x7f) continue;
      low = Math.min(low, byte);
      high = Math.max(high, byte);
    }
  }
  if (high < low) return undefined;
  return { low, base: high - low + 1 };
}

// Enough digits that maxShards boundaries are at least ~16 steps apart, so rounding rarely merges two.
function digitsFor(base: number, maxShards: number): number {
  if (base < 2) return 1;
  return Math.min(12, Math.max(2, Math.ceil(Math.log(maxShards * 16) / Math.log(base))));
}

// The key read as a number in [0, 1) with `digits` digits of the span's base (bytes outside clamp).
function fraction(key: string, span: ByteSpan, digits: number): number {
  const bytes = encoder.encode(key);
  let value = 0;
  let scale = 1;
  for (let i = 0; i < digits; i += 1) {
    scale /= span.base;
    const byte = bytes[i];
    if (byte === undefined) break;
    value += Math.min(span.base - 1, Math.max(0, byte - span.low)) * scale;
  }
  return value;
}

function keyAt(value: number, span: ByteSpan, digits: number): string {
  let rest = Math.min(Math.max(value, 0), 1 - Number.EPSILON);
  let key = '';
  for (let i = 0; i < digits; i += 1) {
    rest *= span.base;
    const digit = Math.min(span.base - 1, Math.floor(rest));
    rest -= digit;
    key += String.fromCharCode(span.low + digit);
  }
  return key;
}
