import { createHash } from 'node:crypto';
import { Logger as PowertoolsLogger, type LogItem } from '@aws-lambda-powertools/logger';
import { logContextFields } from './log-context.ts';
import { redactSecrets } from './log-redaction.ts';

/** Minimal structured logger (JSON lines); never give it a token, key or signed URL in full. */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  debug?(msg: string, fields?: Record<string, unknown>): void;
}

/** Pino's level names (what stages/<stage>.yml `logLevel` accepts); `fatal` is Powertools' CRITICAL. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export interface JsonLoggerOptions {
  /** Fields added to every line; `service` becomes the Powertools `service` key, the rest stay as named. */
  base?: Record<string, unknown>;
  /** Lines below this level are dropped (default info). */
  level?: LogLevel;
  /** Where a serialised line goes; defaults to stdout (CloudWatch picks up one JSON object per line). */
  write?: (line: string) => void;
}

/** The subset of the Lambda context object a log line carries (the runtime's `context`). */
export interface LambdaContextLike {
  awsRequestId: string;
  functionName?: string;
  functionVersion?: string;
  invokedFunctionArn?: string;
  memoryLimitInMB?: string | number;
}

export interface JsonLogger extends Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  /** Init failures and other faults that stop the function (Powertools level CRITICAL). */
  fatal(msg: string, fields?: Record<string, unknown>): void;
  /** A logger whose lines also carry `fields` (e.g. the connection id of one request). */
  child(fields: Record<string, unknown>): JsonLogger;
  /**
   * Adds the invocation's Lambda fields (`function_name`, `function_request_id`, `cold_start`…)
   * to the lines that follow; `withInvocation` (instrument.ts) calls it once per invocation.
   */
  addLambdaContext(context: LambdaContextLike): void;
  /** Whether a line at `level` would be written (Fastify asks before building its fields). */
  isLevelEnabled(level: LogLevel): boolean;
  readonly level: LogLevel;
}

const POWERTOOLS_LEVEL: Record<LogLevel, 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'CRITICAL' | 'SILENT'> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'CRITICAL',
  silent: 'SILENT',
};
const RANK: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4, fatal: 5, silent: 6 };

// Keys Powertools owns (it drops them with a warning line of its own): a field of that name keeps its value under `<key>_`.
const RESERVED = new Set(['level', 'message', 'sampling_rate', 'service', 'timestamp']);

const stdout = (line: string): void => void process.stdout.write(`${line}\n`);

/**
 * Powertools' own console writes through a `Console` on process.stdout; this one takes a `write`
 * function so `pnpm dev` and tests read the same line a Lambda writes.
 */
class LineLogger extends PowertoolsLogger {
  // Set after super(): Powertools may print (its init buffer) from its constructor, hence the fallback.
  writeLine: ((line: string) => void) | undefined;

  protected override printLog(_level: number, log: LogItem): void {
    log.prepareForPrint();
    (this.writeLine ?? stdout)(JSON.stringify(log.getAttributes(), this.getJsonReplacer()));
  }
}

/**
 * The one structured logger of every roomgate function: `@aws-lambda-powertools/logger` lines
 * (`level`, `message`, `timestamp`, `service`, the Lambda fields, `xray_trace_id`), plus the
 * request's ids from the invocation context (`withLogContext`: `requestId`, `connectionId`…) and
 * the call's fields. Errors in fields are flattened to name/code/message, never a stack; string
 * values that are JWTs, API keys, PEM private keys or presigned URLs are redacted
 * (log-redaction.ts). The token API's Fastify logs through the same instance (fastify-logger.ts).
 */
export function createJsonLogger(options: JsonLoggerOptions = {}): JsonLogger {
  const { service, ...persistent } = options.base ?? {};
  const level = options.level ?? 'info';
  const powertools = new LineLogger({
    logLevel: POWERTOOLS_LEVEL[level],
    ...(typeof service === 'string' ? { serviceName: service } : {}),
    persistentKeys: persistent,
  });
  powertools.writeLine = options.write;
  return facade(powertools, level, {});
}

function facade(powertools: LineLogger, level: LogLevel, bound: Record<string, unknown>): JsonLogger {
  const emit = (method: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'critical', msg: string, fields?: Record<string, unknown>): void => {
    powertools[method](redactSecrets(msg) as string, serialiseFields({ ...logContextFields(), ...bound, ...fields }));
  };
  return {
    level,
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    fatal: (msg, fields) => emit('critical', msg, fields),
    child: (fields) => facade(powertools, level, { ...bound, ...fields }),
    addLambdaContext: (context) => powertools.addContext(context as Parameters<PowertoolsLogger['addContext']>[0]),
    isLevelEnabled: (asked) => asked !== 'silent' && RANK[asked] >= RANK[level],
  };
}

/** A logger that drops everything (for tests that do not assert on logs). */
export const silentLogger: JsonLogger = {
  level: 'silent',
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  fatal: () => {},
  child: () => silentLogger,
  addLambdaContext: () => {},
  isLevelEnabled: () => false,
};

/**
 * A short, stable, non-reversible tag for a token, so log lines about the same token can be
 * correlated without the token (a bearer credential) ever appearing in a log.
 */
export function tokenFingerprint(token: string): string {
  return `sha256:${createHash('sha256').update(token).digest('hex').slice(0, 12)}`;
}

function serialiseFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    // `error` is always an object with a message, whatever was thrown (a string, a number), so one query reads every error line.
    const described =
      value instanceof Error ? describeError(value) : key === 'error' && (typeof value !== 'object' || value === null) ? { message: String(value) } : value;
    out[RESERVED.has(key) ? `${key}_` : key] = redactSecrets(described);
  }
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
