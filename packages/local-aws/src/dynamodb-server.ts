// Referenced, not just included: packages that import local-aws type-check this file without
// local-aws's tsconfig, and would otherwise see dynalite as an untyped module.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- an import of a .d.ts would not carry the ambient module declaration to those packages
/// <reference path="./dynalite.d.ts" />
import { mkdirSync } from 'node:fs';
import dynalite from 'dynalite';
import { closeServer, listen } from './listen.ts';

export interface DynamoOptions {
  /** 0 (the default) picks a free port */
  port?: number;
  host?: string;
  /** LevelDB directory the tables survive restarts in; in-memory when absent */
  path?: string;
}

export interface RunningDynamo {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

/**
 * DynamoDB's wire API on loopback (dynalite). It lacks UpdateTimeToLive, Transact* and PartiQL and
 * never expires TTL items, so nothing roomgate runs locally may depend on those.
 */
export async function startDynamo(options: DynamoOptions = {}): Promise<RunningDynamo> {
  if (options.path) mkdirSync(options.path, { recursive: true });
  // Real tables take seconds to become ACTIVE; locally every wait would only slow tests down.
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.path ? { path: options.path } : {}),
  });
  const { endpoint, port } = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  return { endpoint, port, close: () => closeServer(server) };
}
