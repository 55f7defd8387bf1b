import { configOrFail, createJsonLogger, createMetrics, type JsonLogger, type Metrics } from '@roomgate/shared/runtime';
import { parseConfig, type SocketConfig } from '../config.ts';

export interface Base {
  config: SocketConfig;
  logger: JsonLogger;
  /** EMF metrics, flushed after each invocation (`withInvocation` in each lambda/ entry). */
  metrics: Metrics;
}

const SERVICE = 'roomgate-socket';

/**
 * Config (parsed once; a bad one fails the cold start, naming every variable, in the function's
 * log shape), the logger and the metrics.
 */
export function createBase(env: Record<string, string | undefined>): Base {
  const config = configOrFail(() => parseConfig(env), 'socket', { service: SERVICE });
  const logger = createJsonLogger({ base: { service: SERVICE, ...(config.stage !== undefined ? { stage: config.stage } : {}) }, level: config.logLevel });
  const metrics = createMetrics({ service: SERVICE, ...(config.stage !== undefined ? { defaultDimensions: { stage: config.stage } } : {}) });
  return { config, logger, metrics };
}

/** The ids a line of one WebSocket invocation carries: the connection, and API Gateway's request id. */
export function socketEventFields(event: { requestContext: { connectionId: string; requestId?: string } }): Record<string, unknown> {
  const { connectionId, requestId } = event.requestContext;
  return { connectionId, ...(requestId !== undefined ? { requestId } : {}) };
}
