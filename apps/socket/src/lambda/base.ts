import { createJsonLogger, type JsonLogger } from '@roomgate/shared/runtime';
import { parseConfig, type SocketConfig } from '../config.ts';

export interface Base {
  config: SocketConfig;
  logger: JsonLogger;
}

/** Config (parsed once; a bad one fails the cold start, naming every variable) and the logger. */
export function createBase(env: Record<string, string | undefined>): Base {
  const config = parseConfig(env);
  return { config, logger: createJsonLogger({ base: { service: 'roomgate-socket' }, level: config.logLevel }) };
}
