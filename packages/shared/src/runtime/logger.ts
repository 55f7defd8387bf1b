import { createHash } from 'node:crypto';

/** Minimal structured logger (JSON lines); never give it a token, key or signed URL in full. */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export type LogLevel = 'info' | 'warn' | 'error';

export interface JsonLoggerOptions {
  /** Fields added to every line (service name, stage…). */
  base?: Record<string, unknown>;
  /** Lines below this level are dropped. */
  level?: LogLevel;
  /** Where a serialised line goes; defaults to stdout (CloudWatch picks up one JSON object per line). */
  write?: (line: string) => void;
  /** Milliseconds since the epoch; injected so tests get stable output. */
  now?: () => number;
}

export interface JsonLogger extends Logger {
  /** A logger whose lines also carry `fields` (e.g. the connection id of one request). */
  child(fields: Record<string, unknown>): JsonLogger;
}

const RANK: Record<LogLevel, number> = { info: 0, warn: 1, error: 2 };

/** Structured JSON-lines logger. Errors in fields are flattened to name/code/message, never a stack. */
export function createJsonLogger(options: JsonLoggerOptions = {}): JsonLogger {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? Date.now;
  const min = RANK[options.level ?? 'info'];
  const base = options.base ?? {};

  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
    if (RANK[level] < min) return;
    const line = { level, time: new Date(now()).toISOString(), msg, ...base, ...serialiseFields(fields) };
    write(JSON.stringify(line));
  };

  return {
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    child: (fields) => createJsonLogger({ ...options, base: { ...base, ...fields } }),
  };
}

/** A logger that drops everything (for tests that do not assert on logs). */
export const silentLogger: JsonLogger = {
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};

/**
 * A short, stable, non-reversible tag for a token, so log lines about the same token can be
 * correlated without the token (a bearer credential) ever appearing in a log.
 */
export function tokenFingerprint(token: string): string {
  return `sha256:${createHash('sha256').update(token).digest('hex').slice(0, 12)}`;
}

function serialiseFields(fields: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!fields) return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) out[key] = value instanceof Error ? describeError(value) : value;
  return out;
}

/** name, code, message and HTTP status of an error and its causes: enough to debug, no stack. */
export function describeError(error: Error, depth = 0): Record<string, unknown> {
  const described: Record<string, unknown> = { name: error.name, message: error.message };
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) described.code = code;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status !== undefined) described.httpStatusCode = status;
  if (error.cause instanceof Error && depth < 3) described.cause = describeError(error.cause, depth + 1);
  return described;
}
