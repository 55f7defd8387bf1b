import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVICE_DIR, SLS, envWithoutAws } from '../helpers/processes.ts';

type Template = { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };

const OUT = mkdtempSync(join(tmpdir(), 'roomgate-token-api-caller-auth-'));
// Its own esbuild work folder: other e2e tests package or run this service at the same time.
const BUILD_DIR = `.esbuild-caller-auth-${process.pid}`;
afterAll(() => {
  rmSync(OUT, { recursive: true, force: true });
  rmSync(join(SERVICE_DIR, BUILD_DIR), { recursive: true, force: true });
});

function slsPackage(callerAuth: string): Template {
  const out = join(OUT, callerAuth);
  execFileSync(SLS, ['package', '--stage', 'ci', '--package', out], {
    cwd: SERVICE_DIR,
    env: envWithoutAws({ ROOMGATE_ESBUILD_DIR: BUILD_DIR, ROOMGATE_CALLER_AUTH: callerAuth }),
    stdio: 'pipe',
    timeout: 120_000,
  });
  return JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
}

const routeAuth = (template: Template) =>
  Object.fromEntries(
    Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
      .map((r) => [r.Properties.RouteKey, r.Properties.AuthorizationType ?? 'NONE']),
  );

const CALLER_ROUTES = ['POST /v1/tokens', 'POST /v1/rooms/{roomId}/messages', 'GET /v1/rooms/{roomId}/connections', 'DELETE /v1/rooms/{roomId}/users/{userId}'];

describe('callerAuth stage param (ROOMGATE_CALLER_AUTH)', () => {
  it('api-key: no API Gateway authorizer on the caller routes, so API-key callers reach the app', () => {
    const routes = routeAuth(slsPackage('api-key'));
    for (const route of CALLER_ROUTES) expect(routes[route]).toBe('NONE');
    expect(Object.keys(routes)).toHaveLength(7);
  });

  it('iam (the default when unset is covered by package.e2e.test.ts): AWS_IAM on every caller route', () => {
    const routes = routeAuth(slsPackage('iam'));
    for (const route of CALLER_ROUTES) expect(routes[route]).toBe('AWS_IAM');
    expect(routes['GET /.well-known/jwks.json']).toBe('NONE');
  });

  it('an unknown mode fails at package time instead of deploying open routes', () => {
    let output = '';
    try {
      slsPackage('none');
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
      output = `${stdout?.toString() ?? ''}${stderr?.toString() ?? ''}`;
    }
    expect(output).toMatch(/Cannot resolve variable at "resources\.1"/);
  });
});
