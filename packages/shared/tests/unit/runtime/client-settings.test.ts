import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRETS_MANAGER_CLIENT_SETTINGS } from '../../../src/runtime/client-settings.ts';

const REPO = fileURLToPath(new URL('../../../../..', import.meta.url));
/**
 * Not roomgate's clients: the benchmark's cold-start baselines reproduce the source article's
 * handlers with the SDK as it comes (a timeout would change what is measured), and local-aws only
 * talks to its own in-process emulators.
 */
const EXEMPT = ['packages/bench/src/cold/baselines/', 'packages/local-aws/'];
/** Factories that import their SDK package on first use only (runtime/lazy-client.ts): a function that never calls them never loads it. */
const LAZY_FACTORIES = ['eventbridge-client.ts', 'lambda-client.ts', 'management-api-client.ts', 'secrets-manager-lazy-client.ts'].map(
  (file) => `packages/shared/src/runtime/${file}`,
);
/** One module per client (runtime/aws-clients.ts re-exports them), so a bundle reaches only the SDK clients it uses. */
const FACTORIES = [
  ...['cloudformation-client.ts', 'dynamodb-client.ts', 'secrets-manager-client.ts', 'sts-client.ts'].map((file) => `packages/shared/src/runtime/${file}`),
  ...LAZY_FACTORIES,
].sort();
/** `new FooClient(` or, in a lazy factory, `new (await loadFooSdk()).FooClient(`. */
const BUILDS_CLIENT = /new (?:\(await \w+\(\)\)\.)?\w+Client\(/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('every AWS SDK client roomgate builds has retries and a request timeout (issue 11, item 9)', () => {
  const files = ['apps', 'packages']
    .flatMap((top) => readdirSync(join(REPO, top)).map((name) => join(REPO, top, name, 'src')))
    .flatMap((dir) => {
      try {
        return sourceFiles(dir);
      } catch {
        return [];
      }
    })
    .filter((file) => !EXEMPT.some((prefix) => relative(REPO, file).startsWith(prefix)))
    .filter((file) => BUILDS_CLIENT.test(readFileSync(file, 'utf8')) && /from '@aws-sdk\/client-/.test(readFileSync(file, 'utf8')));

  it('builds clients only in the factories of runtime/aws-clients.ts (issue 12)', () => {
    const builders = files.map((file) => relative(REPO, file)).sort();
    expect(builders).toEqual(FACTORIES);
  });

  it('imports one SDK client per factory module: an external SDK is loaded for every import a bundle reaches (issue 19)', () => {
    for (const factory of FACTORIES) {
      expect(readFileSync(join(REPO, factory), 'utf8').match(/from '@aws-sdk\/client-[a-z-]+'/g), factory).toHaveLength(1);
    }
  });

  it.each(LAZY_FACTORIES)('%s imports its SDK package only as types and through import() (issue 19: esbuild hoists a static import)', (factory) => {
    const source = readFileSync(join(REPO, factory), 'utf8');
    expect(source.match(/^import .* from '@aws-sdk\/client-[a-z-]+';$/gm)?.every((line) => line.startsWith('import type '))).toBe(true);
    expect(source).toMatch(/import\('@aws-sdk\/client-[a-z-]+'\)/);
  });

  it.each(files.map((file) => [relative(REPO, file), file]))('%s spreads a *_CLIENT_SETTINGS constant', (_name, file) => {
    expect(readFileSync(file, 'utf8')).toMatch(/\.\.\.(DYNAMODB|MANAGEMENT|SECRETS_MANAGER|EVENTBRIDGE|CLOUDFORMATION|STS|LAMBDA)_CLIENT_SETTINGS/);
  });
});

describe('SECRETS_MANAGER_CLIENT_SETTINGS against an endpoint that accepts and never answers', () => {
  let server: Server;
  let port: number;
  const sockets = new Set<import('node:net').Socket>();

  beforeAll(async () => {
    server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('gives up after 2 attempts of 3 s instead of hanging until the Lambda times out', async () => {
    const client = new SecretsManagerClient({
      ...SECRETS_MANAGER_CLIENT_SETTINGS,
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const started = Date.now();
    try {
      await expect(client.send(new GetSecretValueCommand({ SecretId: 'roomgate/x/public-keys' }))).rejects.toMatchObject({ name: 'TimeoutError' });
    } finally {
      client.destroy();
    }
    expect(Date.now() - started).toBeLessThan(9_000);
    expect(sockets.size).toBe(2);
  }, 15_000);
});
