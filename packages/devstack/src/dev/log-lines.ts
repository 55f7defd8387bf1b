/** Splits a byte stream into lines, keeping a partial last line for the next chunk. */
export function lineSplitter(onLine: (line: string) => void): { push(chunk: Buffer | string): void; flush(): void } {
  let pending = '';
  return {
    push(chunk) {
      pending += chunk.toString();
      const lines = pending.split(/\r?\n/);
      pending = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    },
    flush() {
      if (pending !== '') onLine(pending);
      pending = '';
    },
  };
}

/** The last `size` lines, for the error message when a part fails to start. */
export class LineTail {
  private readonly lines: string[] = [];
  constructor(private readonly size = 40) {}

  add(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.size) this.lines.shift();
  }

  last(count = this.size): string[] {
    return this.lines.slice(-count);
  }
}

const PINO_WARN = 40;
// pino's names and Powertools' (`CRITICAL` is its fatal): roomgate's functions log through Powertools.
const LOUD_LEVELS = new Set(['warn', 'error', 'fatal', 'critical']);
// serverless-offline reports handler crashes and build failures as plain text, not JSON.
const LOUD_TEXT = /\b(error|exception|failed|failure|warning)\b|✖|^\(node:\d+\) /i;
// A library's deprecation notice is for whoever upgrades it, not for someone running the stack;
// Node's "(Use `node --trace-warnings …`)" only follows such a notice.
const QUIET_TEXT = /\bDEP\d+\b|FSTDEP\d+|DeprecationWarning|--trace-warnings/;

/**
 * Quiet mode shows a line only when it is a warning or an error: a JSON log line at warn or
 * above (level names, or pino's numbers), or plain text that says so.
 */
export function isNotable(line: string): boolean {
  const trimmed = line.trim();
  if (trimmed === '') return false;
  if (trimmed.startsWith('{')) {
    try {
      const level = (JSON.parse(trimmed) as { level?: unknown }).level;
      if (typeof level === 'number') return level >= PINO_WARN;
      if (typeof level === 'string') return LOUD_LEVELS.has(level.toLowerCase());
      return false;
    } catch {
      // not JSON after all: judge it as text
    }
  }
  return LOUD_TEXT.test(trimmed) && !QUIET_TEXT.test(trimmed);
}

/** `token-api │ line`, with names padded so the bars line up. */
export function prefixer(names: readonly string[]): (name: string, line: string) => string {
  const width = Math.max(...names.map((n) => n.length));
  return (name, line) => `${name.padEnd(width)} │ ${line}`;
}
