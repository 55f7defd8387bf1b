import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCloudFormationYaml } from '@roomgate/local-aws';
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

  // `pnpm dev --stage b17` once started with HISTORY_TABLE_NAME "[object Object]" (the default
  // param's `!Ref HistoryTable`) and an empty LAMBDA_ENDPOINT (AWS's own): only the `local` stage's
  // params block points at the devstack, so every AWS-only default needs a --param.
  it.each(['token-api', 'socket'] as const)('%s: every param whose default only exists in AWS is overridden for offline, on any stage', (service) => {
    const awsOnly = awsOnlyDefaultParams(service);
    expect(awsOnly.length).toBeGreaterThan(5);
    const spec = (service === 'socket' ? socketSpec : tokenApiSpec)(fakeRepo(), endpoints(false));
    const given = params(spec.args);
    for (const name of awsOnly) expect(given[name], `--param=${name}`).toMatch(/^\S+$/);
  });

  it('the custom stage names the stage tables and shard function; IAM is off under offline', () => {
    const repo = fakeRepo();
    expect(params(tokenApiSpec(repo, endpoints(false)).args)).toMatchObject({
      historyTableName: 'roomgate-demo-history',
      accessTableName: 'roomgate-demo-access',
      publishesTableName: 'roomgate-demo-publishes',
      fanOutShardFunction: 'roomgate-socket-demo-fanOutShard',
      lambdaEndpoint: 'http://127.0.0.1:4202',
      socketIamAuth: 'false',
    });
    expect(params(socketSpec(repo, endpoints(false)).args)).toMatchObject({ lambdaEndpoint: 'http://127.0.0.1:4202', iamAuth: 'false' });
  });
});

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * The names under `params.default` of a service's serverless.yml whose value is a CloudFormation
 * intrinsic (or `${self:custom.x}` of one) or empty (an endpoint left to the SDK, i.e. AWS).
 */
function awsOnlyDefaultParams(service: 'token-api' | 'socket'): string[] {
  const yml = parseCloudFormationYaml(readFileSync(join(REPO_ROOT, 'apps', service, 'serverless.yml'), 'utf8')) as {
    params: { default: Record<string, unknown> };
    custom: Record<string, unknown>;
  };
  const intrinsic = (value: unknown) => typeof value === 'object' && value !== null && Object.keys(value).some((k) => k === 'Ref' || k.startsWith('Fn::'));
  const refersToIntrinsic = (value: string) => [...value.matchAll(/self:custom\.(\w+)/g)].some((m) => intrinsic(yml.custom[m[1]!]));
  return Object.entries(yml.params.default)
    .filter(([, value]) => value === '' || intrinsic(value) || (typeof value === 'string' && refersToIntrinsic(value)))
    .map(([name]) => name);
}
