import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPackagedTemplate } from '@roomgate/local-aws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CHAT_KEY, CHAT_ROLE } from '../helpers/fixtures.ts';
import { httpApiEvent } from '../helpers/http-api-event.ts';
import { seedStage, uniqueStage } from '../helpers/local-secrets.ts';
import { SERVICE_DIR, SLS, envWithoutAws, invokePackagedHandler, type LambdaResult } from '../helpers/processes.ts';
import { stageFilesEnv } from '../helpers/stage-files.ts';

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
    env: envWithoutAws({ ROOMGATE_ESBUILD_DIR: BUILD_DIR, ...stageFilesEnv('ci', { callerAuth }) }),
    stdio: 'pipe',
    timeout: 120_000,
  });
  return readPackagedTemplate<Template>(out);
}

const packaged: Record<string, Template> = {};
beforeAll(() => {
  packaged.iam = slsPackage('iam');
  packaged['api-key'] = slsPackage('api-key');
  for (const mode of ['iam', 'api-key']) execFileSync('unzip', ['-q', join(OUT, mode, 'roomgate-token-api.zip'), '-d', join(OUT, mode, 'unzipped')]);
}, 240_000);

/** The environment the template gives a function, with the values only CloudFormation would resolve filled in. */
function functionEnv(template: Template, logicalId: string): Record<string, string> {
  const variables = (template.Resources[logicalId]!.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
  return Object.fromEntries(Object.entries(variables).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

const routeAuth = (template: Template) =>
  Object.fromEntries(
    Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
      .map((r) => [r.Properties.RouteKey, r.Properties.AuthorizationType ?? 'NONE']),
  );

const CALLER_ROUTES = [
  'POST /v1/tokens',
  'POST /v1/rooms/{roomId}/messages',
  'GET /v1/rooms/{roomId}/messages',
  'GET /v1/rooms/{roomId}/publishes/{publishId}',
  'GET /v1/rooms/{roomId}/connections',
  'DELETE /v1/rooms/{roomId}/users/{userId}',
  'PUT /v1/rooms/{roomId}/bans/{userId}',
  'DELETE /v1/rooms/{roomId}/bans/{userId}',
  'GET /v1/rooms/{roomId}/bans',
  'POST /v1/revocations',
];

describe('callerAuth stage setting (stages/<stage>.yml)', () => {
  it('api-key: no API Gateway authorizer on the caller routes, so API-key callers reach the app', () => {
    const routes = routeAuth(packaged['api-key']!);
    for (const route of CALLER_ROUTES) expect(routes[route]).toBe('NONE');
    expect(Object.keys(routes)).toHaveLength(13);
    // Derived, not listed: every route that needs SigV4 on an iam stage is open to the app on an
    // api-key stage (resources/caller-auth.yml names each route; a new route must be added there).
    const iamRoutes = routeAuth(packaged.iam!);
    const signed = Object.keys(iamRoutes).filter((route) => iamRoutes[route] === 'AWS_IAM');
    expect(signed.length).toBeGreaterThan(0);
    for (const route of signed) expect(routes[route], route).toBe('NONE');
  });

  it('iam (the default when unset is covered by package.e2e.test.ts): AWS_IAM on every caller route', () => {
    const routes = routeAuth(packaged.iam!);
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
    expect(output).toMatch(/callerAuth must be "iam" or "api-key", got "none"/);
  });
});

// What a stage's `$default` route (no authorizer) delivers: no IAM context, and Fastify decodes
// `%74` and matches the token route. The packaged bundles run with the environment their own
// template gives them, so the mode under test is the one a deploy would set.
describe('the packaged functions enforce the stage’s caller-auth mode themselves', () => {
  const json = { 'content-type': 'application/json' };
  const iam = { userArn: 'arn:aws:sts::123456789012:assumed-role/chat-backend/task-9' };
  const viaDefault = (headers: Record<string, string>) => ({
    ...httpApiEvent({ method: 'POST', path: '/v1/%74okens', headers: { ...json, ...headers }, body: '{"roomId":"chat-1"}' }),
    routeKey: '$default',
  });
  const outcome = (results: LambdaResult[]) => results.map((r) => [r.statusCode, (JSON.parse(r.body) as { error?: { code: string } }).error?.code ?? 'ok']);

  async function run(mode: 'iam' | 'api-key', events: unknown[], rooms: unknown[]) {
    const stage = uniqueStage('ca');
    const endpoint = inject('secretsEndpoint');
    await seedStage(endpoint, stage, { alg: 'EdDSA' });
    // SOCKET_URL is the socket stack's export in the template, resolved only by CloudFormation.
    const local = {
      STAGE: stage,
      SOCKET_URL: 'wss://socket.example.invalid/ci',
      SECRETS_ENDPOINT: endpoint,
      IAM_CALLERS: JSON.stringify({ [CHAT_ROLE]: ['chat-*'] }),
      LOG_LEVEL: 'silent',
      AWS_REGION: 'us-east-1',
    };
    const template = packaged[mode]!;
    expect(functionEnv(template, 'ApiLambdaFunction').CALLER_AUTH).toBe(mode);
    expect(functionEnv(template, 'RoomsLambdaFunction').CALLER_AUTH).toBe(mode);
    const tokens = invokePackagedHandler(join(OUT, mode, 'unzipped', 'src', 'token', 'lambda.mjs'), events, {
      ...functionEnv(template, 'ApiLambdaFunction'),
      ...local,
    });
    const roomsResults = invokePackagedHandler(join(OUT, mode, 'unzipped', 'src', 'rooms', 'lambda.mjs'), rooms, {
      ...functionEnv(template, 'RoomsLambdaFunction'),
      ...local,
      // Never reached: every request below is refused before the store is read.
      CONNECTIONS_TABLE_NAME: 'unused',
      ROOMS_TABLE_NAME: 'unused',
      HISTORY_TABLE_NAME: 'unused',
      ACCESS_TABLE_NAME: 'unused',
      MANAGEMENT_ENDPOINT: 'http://127.0.0.1:9',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
    });
    return { tokens: outcome(tokens), rooms: outcome(roomsResults) };
  }

  it('iam: an API key is refused on $default and beside a SigV4 caller it is never read; a SigV4 caller is served', async () => {
    const { tokens, rooms } = await run(
      'iam',
      [
        viaDefault({ 'x-api-key': CHAT_KEY }),
        viaDefault({ authorization: `Bearer ${CHAT_KEY}` }),
        httpApiEvent({ method: 'POST', path: '/v1/tokens', headers: json, body: '{"roomId":"chat-1"}', iam }),
      ],
      [httpApiEvent({ method: 'GET', path: '/v1/rooms/chat-1/connections', headers: { 'x-api-key': CHAT_KEY } })],
    );
    expect(tokens).toEqual([
      [401, 'ERR_UNAUTHENTICATED'],
      [401, 'ERR_UNAUTHENTICATED'],
      [201, 'ok'],
    ]);
    expect(rooms).toEqual([[401, 'ERR_UNAUTHENTICATED']]);
  });

  it('api-key: one key is served, two comma-joined keys are ambiguous, an IAM context is not trusted', async () => {
    const { tokens, rooms } = await run(
      'api-key',
      [
        viaDefault({ 'x-api-key': CHAT_KEY }),
        viaDefault({ 'x-api-key': `rgk_not_a_known_key_0000000000000000,${CHAT_KEY}` }),
        httpApiEvent({ method: 'POST', path: '/v1/tokens', headers: json, body: '{"roomId":"chat-1"}', iam }),
      ],
      [
        httpApiEvent({
          method: 'GET',
          path: '/v1/rooms/chat-1/connections',
          headers: { authorization: `Bearer rgk_not_a_known_key_0000000000000000,Bearer ${CHAT_KEY}` },
        }),
        httpApiEvent({ method: 'GET', path: '/v1/rooms/chat-1/connections', iam }),
      ],
    );
    expect(tokens).toEqual([
      [201, 'ok'],
      [400, 'ERR_CREDENTIALS_AMBIGUOUS'],
      [401, 'ERR_UNAUTHENTICATED'],
    ]);
    expect(rooms).toEqual([
      [400, 'ERR_CREDENTIALS_AMBIGUOUS'],
      [401, 'ERR_UNAUTHENTICATED'],
    ]);
  });
});
