import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { socketSpec, tokenApiSpec, type StackEndpoints } from '../../src/dev/offline-specs.ts';
import { portLayout } from '../../src/dev/ports.ts';

/** A repository with just the two serverless binaries the specs look for. */
function fakeRepo(): string {
  const root = mkdtempSync(join(tmpdir(), 'roomgate-specs-'));
  for (const service of ['token-api', 'socket']) {
    const bin = join(root, 'apps', service, 'node_modules', 'serverless', 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'serverless.js'), '');
  }
  return root;
}

const endpoints = (legacyTokens: boolean): StackEndpoints => ({
  stage: 'demo',
  host: '127.0.0.1',
  ports: portLayout(4100).ports,
  tableName: 't',
  roomsTableName: 'r',
  dynamoEndpoint: 'http://127.0.0.1:4400',
  eventsEndpoint: 'http://127.0.0.1:4501',
  secretsEndpoint: 'http://127.0.0.1:4500',
  legacyTokens,
});

const params = (args: string[]) =>
  Object.fromEntries(args.filter((a) => a.startsWith('--param=')).map((a) => a.slice('--param='.length).split('=') as [string, string]));

describe('serverless-offline specs', () => {
  it('the socket service gets the legacy switches as stage params: both on with --legacy-tokens, both off without', () => {
    const repo = fakeRepo();
    expect(params(socketSpec(repo, endpoints(true)).args)).toMatchObject({ allowLegacyTokens: 'true', requireIssAud: 'false' });
    expect(params(socketSpec(repo, endpoints(false)).args)).toMatchObject({ allowLegacyTokens: 'false', requireIssAud: 'true' });
  });

  it('the token API runs in API-key caller mode on any stage (serverless-offline has no IAM)', () => {
    expect(params(tokenApiSpec(fakeRepo(), endpoints(false)).args)).toMatchObject({ callerAuth: 'api-key' });
  });
});
