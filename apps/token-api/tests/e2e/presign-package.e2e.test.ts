import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPackagedTemplate } from '@roomgate/local-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_DIR, SLS, envWithoutAws } from '../helpers/processes.ts';
import { stageFilesEnv } from '../helpers/stage-files.ts';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Template = { Resources: Record<string, Resource> };
type Statement = { Effect: string; Action: string[]; Resource: unknown };

const OUT = mkdtempSync(join(tmpdir(), 'roomgate-token-api-presign-package-'));
// Its own esbuild work folder: other e2e tests package or run this service at the same time.
const BUILD_DIR = `.esbuild-presign-${process.pid}`;

/** `sls package --stage ci` with stages/ci.yml holding these settings. */
function slsPackage(name: string, settings: Record<string, unknown>): Template {
  const out = join(OUT, name);
  execFileSync(SLS, ['package', '--stage', 'ci', '--package', out], {
    cwd: SERVICE_DIR,
    env: envWithoutAws({ ROOMGATE_ESBUILD_DIR: BUILD_DIR, ...stageFilesEnv('ci', settings) }),
    stdio: 'pipe',
    timeout: 120_000,
  });
  return readPackagedTemplate<Template>(out);
}

/** Evaluates the template's `Fn::Join` / `Ref` for the pseudo parameters, as CloudFormation would. */
function render(value: unknown, pseudo: Record<string, string>): string {
  if (typeof value === 'string') return value;
  const node = value as { 'Fn::Join'?: [string, unknown[]]; Ref?: string; 'Fn::ImportValue'?: string };
  if (node.Ref !== undefined) return pseudo[node.Ref] ?? `<${node.Ref}>`;
  if (node['Fn::ImportValue'] !== undefined) return `<import ${node['Fn::ImportValue']}>`;
  if (node['Fn::Join']) return node['Fn::Join'][1].map((part) => render(part, pseudo)).join(node['Fn::Join'][0]);
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

const PSEUDO = { 'AWS::Partition': 'aws', 'AWS::AccountId': '111122223333', 'AWS::Region': 'us-east-1' };

const TOKEN_ROLE = 'IamRoleLambdaExecution';

/** Every execute-api statement the token function's role gets: inline, or from a policy attached to it. */
function tokenRoleExecuteApiStatements(template: Template): Statement[] {
  const inline = ((template.Resources[TOKEN_ROLE]?.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }> | undefined) ?? []).map(
    (p) => p.PolicyDocument,
  );
  const attached = attachedPolicies(template).map((r) => r.Properties.PolicyDocument as { Statement: Statement[] });
  return [...inline, ...attached].flatMap((d) => d.Statement).filter((s) => s.Action.some((a) => a.startsWith('execute-api:')));
}

const attachedPolicies = (template: Template): Resource[] =>
  Object.values(template.Resources).filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(TOKEN_ROLE));

const tokenFunctionEnv = (template: Template): Record<string, string> =>
  (template.Resources.ApiLambdaFunction?.Properties.Environment as { Variables: Record<string, string> }).Variables;

let iamOn: Template;
let iamOff: Template;
beforeAll(() => {
  iamOn = slsPackage('iam-on', { socketIamAuth: true, socketPresignExpires: 15, region: 'eu-west-1' });
  iamOff = slsPackage('iam-off', { socketIamAuth: false });
});
afterAll(() => {
  rmSync(OUT, { recursive: true, force: true });
  rmSync(join(SERVICE_DIR, BUILD_DIR), { recursive: true, force: true });
});

describe('sls package --stage ci, IAM mode (no AWS credentials)', () => {
  it("grants execute-api:Invoke on exactly the socket stage's $connect route, to the function's role", () => {
    const statements = tokenRoleExecuteApiStatements(iamOn);
    expect(statements).toHaveLength(1);
    expect(statements[0]!.Effect).toBe('Allow');
    expect(statements[0]!.Action).toEqual(['execute-api:Invoke']);
    // The socket stack is this stage's, in this region: its API id is its export.
    const resources = [statements[0]!.Resource].flat().map((r) => render(r, { ...PSEUDO, 'AWS::Region': 'eu-west-1' }));
    expect(resources).toEqual(['arn:aws:execute-api:eu-west-1:111122223333:<import roomgate-socket-ci-WebsocketApiId>/ci/$connect']);

    const policies = attachedPolicies(iamOn);
    expect(policies).toHaveLength(1);
    expect(policies[0]!.Properties.Roles).toEqual([{ Ref: TOKEN_ROLE }]);
    expect(iamOn.Resources[TOKEN_ROLE]?.Type).toBe('AWS::IAM::Role');
    // The role the token function runs with is that one (the framework's default role).
    expect(iamOn.Resources.ApiLambdaFunction?.Properties.Role).toEqual({ 'Fn::GetAtt': [TOKEN_ROLE, 'Arn'] });
  });

  it('passes the presign settings to the function', () => {
    expect(tokenFunctionEnv(iamOn)).toMatchObject({
      SOCKET_IAM_AUTH: 'true',
      SOCKET_REGION: 'eu-west-1',
      SOCKET_PRESIGN_EXPIRES: '15',
    });
  });

  it('gives the token function no execute-api permission when IAM mode is off', () => {
    expect(tokenRoleExecuteApiStatements(iamOff)).toEqual([]);
    expect(attachedPolicies(iamOff)).toEqual([]);
    expect(tokenFunctionEnv(iamOff)).toMatchObject({ SOCKET_IAM_AUTH: 'false', SOCKET_PRESIGN_EXPIRES: '10' });
  });

  it.each([
    [{ socketIamAuth: 'yes' }, /socketIamAuth must be true or false, got "yes"/],
    [{ socketIamAuth: 1 }, /socketIamAuth must be true or false, got 1/],
    [
      { socketIamAuth: true, socketApiId: 'abc123defg' },
      /"socketApiId" is no longer a setting: the socket API id always comes from the socket stack's WebsocketApiId export/,
    ],
    [{ socketPresignExpires: 301 }, /socketPresignExpires must be a whole number from 1 to 300, got 301/],
  ])('fails at package time for %j', (settings, message) => {
    let output = '';
    try {
      slsPackage('bad', settings);
    } catch (error) {
      output = `${(error as { stdout?: Buffer }).stdout?.toString() ?? ''}${(error as { stderr?: Buffer }).stderr?.toString() ?? ''}`;
    }
    expect(output).toMatch(message);
  });
});
