import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import { AwsServiceError } from './aws-service-error.ts';
import { parseJson, readBody, send } from './aws-json-http.ts';
import { LocalAwsError } from './errors.ts';
import { closeServer, listen } from './listen.ts';
import { SecretStore } from './secret-store.ts';

export interface SecretsManagerOptions {
  /** 0 (the default) picks a free port */
  port?: number;
  host?: string;
  /** JSON file the secrets survive restarts in; in-memory when absent */
  persistFile?: string;
  /** region written into ARNs */
  region?: string;
}

export interface RunningSecretsManager {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

const TARGET_PREFIX = 'secretsmanager.';
/** Far above the 64 KiB secret limit, low enough that a runaway client cannot exhaust memory. */
const MAX_SECRETS_BODY_BYTES = 1024 * 1024;

/**
 * A loopback Secrets Manager speaking awsJson1_1, so the real `@aws-sdk/client-secrets-manager`
 * talks to it unchanged through its `endpoint` setting. No emulator exists in the registry.
 */
export async function startSecretsManager(options: SecretsManagerOptions = {}): Promise<RunningSecretsManager> {
  const store = new SecretStore({ region: options.region ?? 'us-east-1' });
  const persistFile = options.persistFile;
  if (persistFile) load(store, persistFile);

  let saved = store.revision;
  const persist = (): void => {
    if (persistFile && store.revision !== saved) saved = save(store, persistFile);
  };
  const server = createServer((req, res) => {
    handle(store, req, res, persist).catch(() => {
      if (!res.headersSent) send(res, 500, { __type: 'InternalServiceError', message: 'internal error' }, 'InternalServiceError');
    });
  });
  const { endpoint, port } = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  return { endpoint, port, close: () => closeServer(server) };
}

/** Persists before answering: a client that saw 200 can rely on the change surviving a restart. */
async function handle(store: SecretStore, req: IncomingMessage, res: ServerResponse, persist: () => void): Promise<void> {
  if (req.method !== 'POST') {
    req.resume();
    return send(res, 405, { __type: 'UnknownOperationException', message: 'Only POST is supported.' }, 'UnknownOperationException');
  }
  try {
    const target = String(req.headers['x-amz-target'] ?? '');
    const body = await readBody(req, MAX_SECRETS_BODY_BYTES);
    const operation = target.startsWith(TARGET_PREFIX) ? store.operations[target.slice(TARGET_PREFIX.length)] : undefined;
    if (!operation) throw new AwsServiceError('UnknownOperationException', `Unknown operation: ${target || '(no x-amz-target)'}`);
    const output = operation(parseJson(body));
    persist();
    send(res, 200, output);
  } catch (error) {
    if (!(error instanceof AwsServiceError)) throw error;
    persist();
    send(res, error.status, { __type: error.type, message: error.message }, error.type);
  }
}

function load(store: SecretStore, file: string): void {
  if (!existsSync(file)) return;
  try {
    store.restore(JSON.parse(readFileSync(file, 'utf8')));
  } catch (cause) {
    throw new LocalAwsError('ERR_PERSIST_CORRUPT', `cannot read local secrets from ${file}; delete it to start fresh`, { cause });
  }
}

/** Write-then-rename, so a crash mid-write never leaves a half file that blocks the next start. */
function save(store: SecretStore, file: string): number {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(store.snapshot(), null, 2), { mode: 0o600 });
  renameSync(temp, file);
  return store.revision;
}
