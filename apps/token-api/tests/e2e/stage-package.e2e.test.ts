import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPackagedTemplate } from '@roomgate/local-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_DIR, SLS, envWithoutAws } from '../helpers/processes.ts';
import { stageFilesEnv } from '../helpers/stage-files.ts';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Template = { Resources: Record<string, Resource> };

const OUT = mkdtempSync(join(tmpdir(), 'roomgate-token-api-stage-package-'));
const BUILD_DIR = `.esbuild-stage-${process.pid}`;
// 19 characters: in ap-southeast-2 the framework's role name is exactly IAM's 64.
const LONG_STAGE = 'live-blue-green-019';

function slsPackage(name: string, stage: string, env: Record<string, string>, extraArgs: string[] = []): Template {
  const out = join(OUT, name);
  execFileSync(SLS, ['package', '--stage', stage, '--package', out, ...extraArgs], {
    cwd: SERVICE_DIR,
    env: envWithoutAws({ ROOMGATE_ESBUILD_DIR: BUILD_DIR, ...env }),
    stdio: 'pipe',
    timeout: 120_000,
  });
  return readPackagedTemplate<Template>(out);
}

function packageFailure(stage: string, env: Record<string, string>, extraArgs: string[] = []): string {
  try {
    slsPackage('bad', stage, env, extraArgs);
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    return `${stdout?.toString() ?? ''}${stderr?.toString() ?? ''}`;
  }
  return 'packaged';
}

/** Every value of a key anywhere in the template. */
function collect(node: unknown, key: string, found: unknown[] = []): unknown[] {
  if (Array.isArray(node)) for (const item of node) collect(item, key, found);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === key) found.push(v);
      collect(v, key, found);
    }
  }
  return found;
}

/** `Fn::Join` rendered with pseudo parameters and imports left as markers. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as { 'Fn::Join'?: [string, unknown[]]; Ref?: string; 'Fn::ImportValue'?: string; 'Fn::GetAtt'?: string[] };
  if (node.Ref !== undefined) return `<${node.Ref}>`;
  if (node['Fn::ImportValue'] !== undefined) return `<import ${node['Fn::ImportValue']}>`;
  if (node['Fn::GetAtt'] !== undefined) return `<${node['Fn::GetAtt'].join('.')}>`;
  if (node['Fn::Join']) return node['Fn::Join'][1].map(render).join(node['Fn::Join'][0]);
  return JSON.stringify(value);
}

const env = (t: Template, id: string) => (t.Resources[id]!.Properties.Environment as { Variables: Record<string, unknown> }).Variables;

let fresh: Template;
let declared: Template;
beforeAll(() => {
  // A fresh clone: stages/prod.yml does not exist, nothing in the environment.
  fresh = slsPackage('fresh', 'prod', {});
  declared = slsPackage('declared', LONG_STAGE, {
    ...stageFilesEnv(LONG_STAGE, {
      region: 'ap-southeast-2',
      socketIamAuth: true,
      iamCallers: { 'arn:aws:iam::111122223333:role/chat-backend': ['chat-*'] },
      throttle: { tokenApi: { rateLimit: 5, burstLimit: 10 } },
      reservedConcurrency: { api: 50 },
      accessLogs: false,
    }),
    // The knobs that used to redirect only part of the references (and the shell's region) no
    // longer change anything: the stage file is the one source.
    ROOMGATE_SOCKET_STAGE: 'other',
    ROOMGATE_SOCKET_REGION: 'eu-west-1',
    ROOMGATE_SOCKET_API_ID: 'abc123defg',
    ROOMGATE_IAM_CALLERS: '{}',
    AWS_REGION: 'eu-west-3',
  });
});
afterAll(() => {
  rmSync(OUT, { recursive: true, force: true });
  rmSync(join(SERVICE_DIR, BUILD_DIR), { recursive: true, force: true });
});

describe('sls package of a whole stage from its stage file (no AWS credentials)', () => {
  it('a stage without a file packages with the defaults, the socket URL imported from the socket stack', () => {
    expect(env(fresh, 'ApiLambdaFunction')).toMatchObject({
      STAGE: 'prod',
      SOCKET_URL: { 'Fn::ImportValue': 'roomgate-socket-prod-WebsocketUrl' },
      SOCKET_REGION: 'us-east-1',
      CALLER_AUTH: 'iam',
      IAM_CALLERS: '{}',
      SOCKET_IAM_AUTH: 'false',
    });
  });

  it('every reference to the socket stack names this stage, in this region (imports, ARNs, env)', () => {
    for (const template of [fresh, declared]) {
      const stage = template === fresh ? 'prod' : LONG_STAGE;
      const imports = collect(template, 'Fn::ImportValue') as string[];
      expect(imports.length).toBeGreaterThan(5);
      for (const name of imports) expect(name.startsWith(`roomgate-socket-${stage}-`), name).toBe(true);
      const arns = (collect(template, 'Fn::Join') as Array<[string, unknown[]]>)
        .map((join) => render({ 'Fn::Join': join }))
        .filter((arn) => arn.includes(':execute-api:'));
      expect(arns.length).toBeGreaterThanOrEqual(template === fresh ? 4 : 5);
      for (const arn of arns) {
        // The HTTP API's own Lambda permissions name this API; everything else the socket API.
        if (arn.includes('<HttpApi>')) continue;
        expect(arn, arn).toMatch(
          new RegExp(`^arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<import roomgate-socket-${stage}-WebsocketApiId>/${stage}/`),
        );
      }
    }
    expect(env(declared, 'ApiLambdaFunction')).toMatchObject({
      SOCKET_REGION: 'ap-southeast-2',
      SOCKET_IAM_AUTH: 'true',
      IAM_CALLERS: '{"arn:aws:iam::111122223333:role/chat-backend":["chat-*"]}',
    });
  });

  it("a stage name as long as the region allows keeps the role name within IAM's 64 characters", () => {
    const name = render(declared.Resources.IamRoleLambdaExecution!.Properties.RoleName).replace('<AWS::Region>', 'ap-southeast-2');
    expect(name).toBe(`roomgate-token-api-${LONG_STAGE}-ap-southeast-2-lambdaRole`);
    expect(name).toHaveLength(64);
  });

  it('one character more fails at package time, naming the limit', () => {
    const stage = `${LONG_STAGE}x`;
    expect(packageFailure(stage, stageFilesEnv(stage, { region: 'ap-southeast-2' }))).toMatch(
      new RegExp(
        `stage "${stage}" in ap-southeast-2 makes the token API role name "roomgate-token-api-${stage}-ap-southeast-2-lambdaRole" 65 characters long; AWS allows 64`,
      ),
    );
  });

  it("a --region other than the stage file's fails (keys and stacks share one region)", () => {
    expect(packageFailure('prod', {}, ['--region', 'eu-west-1'])).toMatch(/--region eu-west-1 differs from the stage's region us-east-1/);
  });

  it.each([
    [{ socketStage: 'live' }, /"socketStage" is no longer a setting: the socket stage is always the token API's stage/],
    [{ socketRegion: 'eu-west-1' }, /"socketRegion" is no longer a setting/],
    [{ iamCalers: {} }, /unknown setting "iamCalers"/],
    [{ iamCallers: { 'chat-backend': ['chat-*'] } }, /"chat-backend" is not an IAM role or user ARN/],
    [{ region: 'mars-1' }, /region must be an AWS region such as us-east-1, got "mars-1"/],
    [{ allowLegacyTokens: true }, /allowLegacyTokens: true needs requireIssAud: false/],
    // Every nested level is checked: a mistyped or scalar mapping must not leave the defaults in place.
    [{ throttle: { websocket: { rateLimit: 5 } } }, /unknown setting throttle\.websocket \(known: socket, tokenApi\)/],
    [{ throttle: 5 }, /throttle must be a mapping of socket, tokenApi, got 5/],
    [{ reservedConcurrency: 5 }, /reservedConcurrency must be a mapping of connect, disconnect, default, fanOutShard, api, rooms, got 5/],
    [{ tokenIssuer: '   ' }, /tokenIssuer must be a non-empty string, got " {3}"/],
    [{ region: 'xx-fake-1' }, /region must be an AWS region such as us-east-1, got "xx-fake-1"/],
    // serverless would resolve these from its own variables and the shell; `pnpm stage show` would print them literally.
    [{ tokenIssuer: 'iss-${sls:stage}' }, /stages\/ci\.yml: line 1: "\$\{…\}" variables are not allowed in a stage file/],
    [{ region: '${env:AWS_REGION}' }, /variables are not allowed in a stage file/],
  ])('stage file %j fails at package time', (settings, message) => {
    expect(packageFailure('ci', stageFilesEnv('ci', settings))).toMatch(message);
  });

  it("throttles every route by default (JWKS, health and $default invoke a Lambda unauthenticated), with the stage's limits when set", () => {
    expect(fresh.Resources.HttpApiStage!.Properties.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 });
    expect(declared.Resources.HttpApiStage!.Properties.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 });
  });

  it('writes access logs by default, none with accessLogs: false', () => {
    const logs = fresh.Resources.HttpApiStage!.Properties.AccessLogSettings as { DestinationArn: unknown; Format: string };
    expect(logs.DestinationArn).toEqual({ 'Fn::GetAtt': ['HttpApiLogGroup', 'Arn'] });
    expect(Object.keys(JSON.parse(logs.Format))).toEqual(expect.arrayContaining(['requestId', 'ip', 'routeKey', 'status']));
    expect(fresh.Resources.HttpApiLogGroup!.Properties.RetentionInDays).toBe(14);
    expect(declared.Resources.HttpApiStage!.Properties.AccessLogSettings).toBeUndefined();
  });

  it('a bad stage file fails in one line, without stack frames', () => {
    const output = packageFailure('ci', stageFilesEnv('ci', { region: 'xx-fake-1' }));
    expect(output).toMatch(/Received rejection: stages\/ci\.yml: region must be an AWS region such as us-east-1, got "xx-fake-1"\n/);
    expect(output).not.toMatch(/^\s+at /m);
  });

  it('the devstack stage "local" is refused: packaged, it would carry local endpoints, API-key callers and a ws:// URL', () => {
    expect(packageFailure('local', {})).toMatch(
      /stage "local" is the devstack's \(pnpm dev, sls offline --stage local\).*cannot be shown, packaged or deployed/,
    );
  });

  it('packaging an IAM stage without iamCallers warns that every caller gets 403; with callers it does not', () => {
    const packageOutput = (stage: string, settings: Record<string, unknown>) => {
      const result = spawnSync(SLS, ['package', '--stage', stage, '--package', join(OUT, `warn-${stage}`)], {
        cwd: SERVICE_DIR,
        env: envWithoutAws({ ROOMGATE_ESBUILD_DIR: BUILD_DIR, ...stageFilesEnv(stage, settings) }),
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(result.status, result.stderr).toBe(0);
      return `${result.stdout}${result.stderr}`;
    };
    const warning = 'Warning: stage nobody: callerAuth is iam and iamCallers is empty: every token and Rooms API request is refused (403)';
    expect(packageOutput('nobody', {})).toContain(warning);
    expect(packageOutput('somebody', { iamCallers: { 'arn:aws:iam::111122223333:role/chat-backend': ['chat-*'] } })).not.toContain('iamCallers is empty');
  });

  it('a China stage names no partition or DNS suffix by hand (service principals aside)', () => {
    const china = slsPackage('china', 'cn', stageFilesEnv('cn', { region: 'cn-north-1', socketIamAuth: true }));
    // Every string of the template, keys and Fn::Join parts included.
    const all = (JSON.stringify(china).match(/"(?:[^"\\]|\\.)*"/g) ?? []).map((s) => JSON.parse(s) as string);
    expect(all.filter((s) => s.includes('amazonaws.com') && !/^[a-z.-]+\.amazonaws\.com$/.test(s))).toEqual([]);
    expect(all.filter((s) => /arn:aws[:-]/.test(s))).toEqual([]);
    expect(env(china, 'ApiLambdaFunction')).toMatchObject({ SOCKET_REGION: 'cn-north-1' });
  });

  it('reserves concurrency only where the stage asks', () => {
    expect(declared.Resources.ApiLambdaFunction!.Properties.ReservedConcurrentExecutions).toBe(50);
    expect(declared.Resources.RoomsLambdaFunction!.Properties.ReservedConcurrentExecutions).toBeUndefined();
    expect(fresh.Resources.ApiLambdaFunction!.Properties.ReservedConcurrentExecutions).toBeUndefined();
  });
});
