import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPackagedTemplate } from '@roomgate/local-aws';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CHAT_KEY, CHAT_ROLE } from '../helpers/fixtures.ts';
import { httpApiEvent } from '../helpers/http-api-event.ts';
import { seedStage } from '../helpers/local-secrets.ts';
import { SERVICE_DIR, SLS, envWithoutAws, invokePackagedHandler } from '../helpers/processes.ts';

const OUT = mkdtempSync(join(tmpdir(), 'roomgate-token-api-package-'));
let template: { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };

beforeAll(() => {
  execFileSync(SLS, ['package', '--stage', 'ci', '--package', OUT], { cwd: SERVICE_DIR, env: envWithoutAws(), stdio: 'pipe', timeout: 120_000 });
  template = readPackagedTemplate(OUT);
  execFileSync('unzip', ['-q', join(OUT, 'roomgate-token-api.zip'), '-d', join(OUT, 'unzipped')]);
  // No node_modules beside the bundle: it must run on its own, SDK included.
});
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

const resources = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);

describe('sls package --stage ci (no AWS credentials)', () => {
  it('produces minified ESM bundles with the SDK bundled in (docs/benchmarks.md, cold start)', () => {
    const listing = execFileSync('unzip', ['-Z1', join(OUT, 'roomgate-token-api.zip')], { encoding: 'utf8' })
      .trim()
      .split('\n');
    // The rooms function's bundle ships in the same artifact (rooms-package.e2e.test.ts checks its role).
    expect(listing).toEqual(['src/rooms/lambda.mjs', 'src/token/lambda.mjs']);
    const bundle = readFileSync(join(OUT, 'unzipped', 'src', 'token', 'lambda.mjs'), 'utf8');
    expect(bundle).not.toMatch(/from\s*"@aws-sdk\//);
    expect(bundle).toContain('GetSecretValue');
    expect(bundle.length).toBeLessThan(1536 * 1024);
    // Route schemas are compiled at build time (esbuild-plugins.cjs): Fastify's run-time compilers
    // are stubbed out, so ajv's compiler (its `strictTuples` option) is not in the bundle.
    expect(bundle).toContain('is not in this bundle: route schemas are compiled at build time');
    expect(bundle).not.toContain('strictTuples');
    // Fastify logs through the function's logger (loggerInstance), so pino and its stream
    // dependencies are stubbed out of the bundle too (esbuild-plugins.cjs).
    expect(bundle).toContain('pino is not in this bundle');
    expect(bundle).not.toContain('SonicBoom');
    expect(bundle).not.toContain('ThreadStream');
  });

  it('routes POST /v1/tokens through AWS_IAM and leaves JWKS and health public', () => {
    const routes = Object.fromEntries(resources('AWS::ApiGatewayV2::Route').map(([, r]) => [r.Properties.RouteKey, r.Properties.AuthorizationType ?? 'NONE']));
    expect(routes).toEqual({
      'POST /v1/tokens': 'AWS_IAM',
      'GET /.well-known/jwks.json': 'NONE',
      'GET /healthz': 'NONE',
      $default: 'NONE',
      'POST /v1/rooms/{roomId}/messages': 'AWS_IAM',
      'GET /v1/rooms/{roomId}/messages': 'AWS_IAM',
      'GET /v1/rooms/{roomId}/publishes/{publishId}': 'AWS_IAM',
      'GET /v1/rooms/{roomId}/connections': 'AWS_IAM',
      'DELETE /v1/rooms/{roomId}/users/{userId}': 'AWS_IAM',
      'PUT /v1/rooms/{roomId}/bans/{userId}': 'AWS_IAM',
      'DELETE /v1/rooms/{roomId}/bans/{userId}': 'AWS_IAM',
      'GET /v1/rooms/{roomId}/bans': 'AWS_IAM',
      'POST /v1/revocations': 'AWS_IAM',
    });
  });

  it("every Lambda permission may be used only by this service's own HTTP API (SourceArn)", () => {
    const permissions = resources('AWS::Lambda::Permission');
    expect(permissions.map(([id]) => id).sort()).toEqual(['ApiLambdaPermissionHttpApi', 'RoomsLambdaPermissionHttpApi']);
    for (const [id, permission] of permissions) {
      expect(permission.Properties.Principal, id).toBe('apigateway.amazonaws.com');
      const arn = JSON.stringify(permission.Properties.SourceArn);
      expect(arn, id).toContain('{"Ref":"HttpApi"}');
      expect(arn, id).toContain('{"Ref":"AWS::AccountId"}');
    }
  });

  it('grants only secretsmanager:GetSecretValue, only on its own three secrets', () => {
    type Policy = { PolicyDocument: { Statement: Array<{ Action: string[]; Resource: unknown[] }> } };
    // The token function's role; the rooms function has its own (rooms-package.e2e.test.ts).
    const roles = resources('AWS::IAM::Role').filter(([id]) => id === 'IamRoleLambdaExecution');
    expect(roles).toHaveLength(1);
    const statements = (roles[0]![1].Properties.Policies as Policy[]).flatMap((p) => p.PolicyDocument.Statement);
    const secrets = statements.filter((s) => s.Action.some((a) => a.startsWith('secretsmanager:')));
    expect(secrets).toHaveLength(1);
    expect(secrets[0]!.Action).toEqual(['secretsmanager:GetSecretValue']);
    const arns = JSON.stringify(secrets[0]!.Resource);
    for (const name of ['signing-key', 'public-keys', 'api-keys']) expect(arns).toContain(`:secret:roomgate/ci/${name}-??????`);
    expect(secrets[0]!.Resource).toHaveLength(3);
    const actions = statements.flatMap((s) => s.Action);
    expect(actions.filter((a) => !a.startsWith('logs:'))).toEqual(['secretsmanager:GetSecretValue']);
  });

  it('the packaged handler loads (top-level await) and issues tokens against the local Secrets Manager', async () => {
    const endpoint = inject('secretsEndpoint');
    const stage = 'ci';
    await seedStage(endpoint, stage, { alg: 'EdDSA' });
    const events = [
      httpApiEvent({
        method: 'POST',
        path: '/v1/tokens',
        headers: { 'content-type': 'application/json' },
        body: '{"roomId":"chat-9"}',
        iam: { userArn: 'arn:aws:sts::123456789012:assumed-role/chat-backend/task-2' },
      }),
      httpApiEvent({ method: 'POST', path: '/v1/tokens', headers: { 'content-type': 'application/json', 'x-api-key': CHAT_KEY }, body: '{"roomId":"chat-9"}' }),
      httpApiEvent({ method: 'GET', path: '/.well-known/jwks.json' }),
      httpApiEvent({
        method: 'POST',
        path: '/v1/tokens',
        headers: { 'content-type': 'application/json' },
        body: '{"roomId":"a/b"}',
        iam: { userArn: 'arn:aws:sts::123456789012:assumed-role/chat-backend/task-2' },
      }),
    ];
    const results = invokePackagedHandler(join(OUT, 'unzipped', 'src', 'token', 'lambda.mjs'), events, {
      STAGE: stage,
      SOCKET_URL: 'wss://socket.example.invalid/ci',
      SECRETS_ENDPOINT: endpoint,
      IAM_CALLERS: JSON.stringify({ [CHAT_ROLE]: ['chat-*'] }),
      LOG_LEVEL: 'warn',
    });
    const [iam, apiKey, jwks, invalid] = results;
    // Unset CALLER_AUTH is iam: an API key is never read there (caller-auth-package.e2e.test.ts).
    expect([iam!.statusCode, apiKey!.statusCode, jwks!.statusCode, invalid!.statusCode]).toEqual([201, 401, 200, 400]);
    const keySet = createLocalJWKSet(JSON.parse(jwks!.body));
    for (const res of [iam!]) {
      const { payload, protectedHeader } = await jwtVerify(JSON.parse(res.body).token, keySet, { issuer: 'roomgate', audience: 'roomgate-socket' });
      expect(protectedHeader.alg).toBe('EdDSA');
      expect(payload.sub).toBe('chat-9');
    }
    expect(JSON.parse(invalid!.body).error.code).toBe('ERR_VALIDATION');
  });

  it('holds the 5xx-rate, key-load, delivery, Lambda error and throttle alarms and a dashboard, each with its runbook entry', () => {
    type Alarm = { AlarmName: string; AlarmDescription: string; AlarmActions?: unknown; Metrics: Array<{ MetricStat?: { Metric: Record<string, unknown> } }> };
    const alarms = Object.fromEntries(resources('AWS::CloudWatch::Alarm').map(([id, r]) => [id, r.Properties as unknown as Alarm]));
    expect(Object.keys(alarms).sort()).toEqual(['Alarm5xxRate', 'AlarmDeliveryFailures', 'AlarmKeyLoadFailures', 'AlarmLambdaErrors', 'AlarmThrottles']);
    const runbook = readFileSync(join(SERVICE_DIR, '../../docs/operations.md'), 'utf8');
    for (const alarm of Object.values(alarms)) {
      expect(alarm.AlarmName).toMatch(/^roomgate-token-api-ci-/);
      expect(runbook, alarm.AlarmName).toContain(`#### ${/docs\/operations\.md, "([a-z0-9-]+)"/.exec(alarm.AlarmDescription)?.[1]}`);
      // No topic in the ci stage: the alarms exist and notify nobody.
      expect(alarm.AlarmActions).toBeUndefined();
    }
    // The HTTP API's own 5xx and request count, on the stage serverless deploys it to.
    expect(alarms.Alarm5xxRate!.Metrics.slice(0, 2).map((m) => m.MetricStat!.Metric)).toEqual(
      ['5xx', 'Count'].map((MetricName) => ({
        Namespace: 'AWS/ApiGateway',
        MetricName,
        Dimensions: [
          { Name: 'ApiId', Value: { Ref: 'HttpApi' } },
          { Name: 'Stage', Value: '$default' },
        ],
      })),
    );
    const functions = JSON.stringify(alarms.AlarmLambdaErrors!.Metrics);
    for (const id of ['ApiLambdaFunction', 'RoomsLambdaFunction']) expect(functions).toContain(`{"Ref":"${id}"}`);
    const dashboards = resources('AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]![1].Properties.DashboardName).toBe('roomgate-token-api-ci');
    const body = JSON.stringify(dashboards[0]![1].Properties.DashboardBody);
    // Every metric the token API's functions write (PublishesQueued: a Rooms API publish to a large room).
    const written = [
      'TokensIssued',
      'Publishes',
      'PublishesQueued',
      'Deliveries',
      'DeliveryFailed',
      'DeliveryStale',
      'PublishLatency',
      'KeyLoadFailures',
      'Throttles',
    ];
    for (const metric of written) expect(body, metric).toMatch(new RegExp(`\\b${metric}\\b`));
  });
});
