import type { FastifyBaseLogger } from 'fastify';
import type { JsonLogger } from '@roomgate/shared/runtime';

type Method = 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/**
 * Fastify's `loggerInstance` over the function's own logger, so framework lines and domain lines
 * are one shape (Powertools' `level`/`message`/`timestamp`, the Lambda and request ids) in one log
 * group, instead of pino's numeric levels and `msg` beside ours. Takes pino's call forms:
 * `(msg)`, `(fields, msg)`, `(error, msg)`; a `%s` format string is written as it is (Fastify's
 * own lines use none). Fastify's per-request child (`reqId`: `x-request-id`, which the Lambda
 * adapter sets to API Gateway's request id) becomes a child of ours.
 */
export function fastifyLogger(logger: JsonLogger): FastifyBaseLogger {
  const at =
    (method: Method) =>
    (first: unknown, second?: unknown): void => {
      if (typeof first === 'string') return logger[method](first);
      if (first instanceof Error) return logger[method](typeof second === 'string' ? second : first.message, { error: first });
      const { msg, err, req: _req, res, ...fields } = (first ?? {}) as Record<string, unknown>;
      const message = typeof second === 'string' ? second : typeof msg === 'string' ? msg : '';
      const statusCode = (res as { statusCode?: unknown } | undefined)?.statusCode;
      logger[method](message, { ...fields, ...(err instanceof Error ? { error: err } : {}), ...(typeof statusCode === 'number' ? { statusCode } : {}) });
    };
  const adapter = {
    level: logger.level,
    trace: at('debug'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    fatal: at('fatal'),
    silent: () => {},
    isLevelEnabled: (level: string) => logger.isLevelEnabled(level as JsonLogger['level']),
    child: (bindings: Record<string, unknown>) => fastifyLogger(logger.child(bindings)),
  };
  return adapter as unknown as FastifyBaseLogger;
}
