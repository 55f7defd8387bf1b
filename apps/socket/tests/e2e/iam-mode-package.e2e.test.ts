import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { METRIC_NAMES } from '@roomgate/shared/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_DIR, slsPackage as packageService, type PackagedTemplate as Template } from '../helpers/sls-package.ts';
import { stageFilesEnv } from '../helpers/stage-files.ts';

const OUT = mkdtempSync(join(tmpdir(), 'roomgate-socket-iam-package-'));

/**
 * `sls package --stage ci` with stages/ci.yml holding these settings, into its own folder, with its
 * own esbuild work folder (other e2e tests build this service too): the template, or the command's
 * output when it fails.
 */
const slsPackage = (name: string, settings: Record<string, unknown>) =>
  packageService('ci', { out: join(OUT, name), buildDir: `.esbuild-iam-${name}-${process.pid}`, env: stageFilesEnv('ci', settings) });

/** The template of a packaging that must succeed. */
async function packaged(name: string, settings: Record<string, unknown>): Promise<Template> {
  const { template, output } = await slsPackage(name, settings);
  if (!template) throw new Error(`sls package (${name}) failed:\n${output}`);
  return template;
}

const routes = (template: Template) =>
  Object.fromEntries(
    Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
      .map((r) => [r.Properties.RouteKey, r.Properties.AuthorizationType]),
  );

const deploymentIds = (template: Template) => Object.keys(template.Resources).filter((id) => template.Resources[id]!.Type === 'AWS::ApiGatewayV2::Deployment');

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:roomgate-ops';

type AlarmProps = {
  AlarmName: string;
  AlarmDescription: string;
  Threshold: number;
  Metrics: Array<{
    Id: string;
    Expression?: string;
    ReturnData?: boolean;
    MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: unknown[] } };
  }>;
  AlarmActions?: unknown[];
  OKActions?: unknown[];
  TreatMissingData: string;
};
const alarms = (t: Template) =>
  Object.fromEntries(
    Object.entries(t.Resources)
      .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm')
      .map(([id, r]) => [id, r.Properties as unknown as AlarmProps]),
  );

let iamOn: Template;
let iamOff: Template;
beforeAll(async () => {
  // One after the other: two packagings of one service at once compete for CPU and, on a slow
  // runner, for the hook timeout, for no gain in what is tested.
  iamOn = await packaged('on', {
    socketIamAuth: true,
    accessLogs: false,
    throttle: { socket: { rateLimit: 7, burstLimit: 9 } },
    reservedConcurrency: { connect: 20 },
    alarms: { topicArn: TOPIC, refusedConnectsPer5Minutes: 25 },
  });
  // Nothing declared: every default.
  iamOff = await packaged('off', {});
});
afterAll(() => {
  rmSync(OUT, { recursive: true, force: true });
  for (const name of ['on', 'off', 'bad']) rmSync(join(SERVICE_DIR, `.esbuild-iam-${name}-${process.pid}`), { recursive: true, force: true });
});

describe('sls package --stage ci: the iamAuth stage parameter and invoke permissions (no AWS credentials)', () => {
  it('socketIamAuth: true puts AWS_IAM on $connect, and only there', () => {
    expect(routes(iamOn)).toEqual({ $connect: 'AWS_IAM', $disconnect: 'NONE', $default: 'NONE' });
  });

  it('by default every route is NONE (the JWT check in the $connect Lambda is the gate)', () => {
    expect(routes(iamOff)).toEqual({ $connect: 'NONE', $disconnect: 'NONE', $default: 'NONE' });
  });

  it('switching the mode creates a new stage deployment, so the change goes live on deploy', () => {
    const [on] = deploymentIds(iamOn);
    const [off] = deploymentIds(iamOff);
    expect(on).toBeDefined();
    expect(on).not.toBe(off);
    expect(iamOn.Resources.WebsocketsDeploymentStage!.Properties.DeploymentId).toEqual({ Ref: on });
  });

  it('each Lambda permission may be used only by its own route of this API and stage (SourceArn), in both modes', () => {
    // The framework generates these without SourceArn: any API Gateway API in any account could
    // invoke the functions (serverless.yml extends them).
    const sourceArn = (route: string) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':execute-api:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':',
          { Ref: 'WebsocketsApi' },
          `/ci/${route}`,
        ],
      ],
    });
    for (const template of [iamOn, iamOff]) {
      const permissions = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Permission');
      expect(Object.fromEntries(permissions.map(([id, r]) => [id, r.Properties.SourceArn]))).toEqual({
        ConnectLambdaPermissionWebsockets: sourceArn('$connect'),
        DisconnectLambdaPermissionWebsockets: sourceArn('$disconnect'),
        DefaultLambdaPermissionWebsockets: sourceArn('$default'),
      });
      for (const [, permission] of permissions) expect(permission.Properties.Principal).toBe('apigateway.amazonaws.com');
    }
  });

  it("passes TOKEN_MAX_TTL to every function (the verifier's lifetime bound; default 3600)", () => {
    // Our three handlers; the framework's custom resource that sets the account's API Gateway
    // CloudWatch role (needed by access logs) is not one of them.
    const functions = Object.values(iamOff.Resources).filter(
      (r) => r.Type === 'AWS::Lambda::Function' && String(r.Properties.Handler).startsWith('src/lambda/'),
    );
    expect(functions).toHaveLength(4);
    for (const fn of functions) expect((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.TOKEN_MAX_TTL).toBe('3600');
  });

  it('any value other than true or false fails packaging', async () => {
    const { template, output } = await slsPackage('bad', { socketIamAuth: 'yes' });
    expect(template).toBeUndefined();
    expect(output).toMatch(/socketIamAuth must be true or false, got "yes"/);
  });

  it("throttles every route by default (the unauthenticated $connect invokes a Lambda), with the stage's limits when set", () => {
    const stage = (t: Template) => t.Resources.WebsocketsDeploymentStage!.Properties;
    expect(stage(iamOff).DefaultRouteSettings).toEqual({ DataTraceEnabled: false, LoggingLevel: 'OFF', ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 });
    expect(stage(iamOn).DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 7, ThrottlingBurstLimit: 9 });
  });

  it('writes JSON access logs by default to its own log group, and none with accessLogs: false', () => {
    const settings = iamOff.Resources.WebsocketsDeploymentStage!.Properties.AccessLogSettings as { DestinationArn: unknown; Format: string };
    expect(JSON.stringify(settings.DestinationArn)).toContain('${WebsocketsLogGroup}');
    expect(Object.keys(JSON.parse(settings.Format))).toEqual(expect.arrayContaining(['requestId', 'eventType', 'routeKey', 'connectionId', 'status', 'ip']));
    expect(iamOff.Resources.WebsocketsLogGroup!.Properties).toMatchObject({ LogGroupName: '/aws/websocket/roomgate-socket-ci', RetentionInDays: 14 });
    expect(iamOn.Resources.WebsocketsDeploymentStage!.Properties.AccessLogSettings).toBeUndefined();
    expect(iamOn.Resources.WebsocketsLogGroup).toBeUndefined();
  });

  it('reserves concurrency only for the functions the stage names', () => {
    const reserved = (t: Template, id: string) => t.Resources[id]!.Properties.ReservedConcurrentExecutions;
    expect(reserved(iamOn, 'ConnectLambdaFunction')).toBe(20);
    for (const id of ['DisconnectLambdaFunction', 'DefaultLambdaFunction']) expect(reserved(iamOn, id)).toBeUndefined();
    for (const id of ['ConnectLambdaFunction', 'DisconnectLambdaFunction', 'DefaultLambdaFunction']) expect(reserved(iamOff, id)).toBeUndefined();
  });

  it('bundles the AWS SDK into each handler rather than using the Lambda runtime’s copy (docs/benchmarks.md, cold start)', () => {
    // The runtime's SDK is whatever version AWS ships that week; before @smithy/node-http-handler 4.4
    // it ignored `throwOnRequestTimeout` and read `requestTimeout` as an idle-socket timeout
    // (runtime/client-settings.ts). Bundled, the handlers run the SDK the tests ran.
    const zip = join(OUT, 'off', 'roomgate-socket.zip');
    const files = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).trim().split('\n').sort();
    expect(files).toEqual(['src/lambda/connect.cjs', 'src/lambda/default.cjs', 'src/lambda/disconnect.cjs', 'src/lambda/fan-out-shard.cjs']);
    for (const file of files) {
      const bundle = execFileSync('unzip', ['-p', zip, file], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
      // A real require call; the SDK's own error text quotes `[require("@aws-sdk/signature-v4-crt");]`.
      expect(bundle, file).not.toMatch(/(?<!\[)require\("@(aws-sdk|smithy)\//);
      expect(bundle, file).toContain('DynamoDBClient');
      expect(bundle, file).toContain('throwOnRequestTimeout=true to turn this into an error');
      expect(bundle.length, file).toBeLessThan(1024 * 1024);
    }
  });

  it('exports the WebSocket URL the token API hands out, so nobody copies it by hand', () => {
    expect(iamOff.Outputs.WebsocketUrl!.Export.Name).toBe('roomgate-socket-ci-WebsocketUrl');
    expect(JSON.stringify(iamOff.Outputs.WebsocketUrl!.Value)).toBe(
      JSON.stringify({
        'Fn::Join': ['', ['wss://', { Ref: 'WebsocketsApi' }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/ci']],
      }),
    );
  });

  it('holds one alarm per runbook entry and a dashboard, on the EMF metrics and AWS/Lambda, quiet stages OK', () => {
    const byId = alarms(iamOff);
    expect(Object.keys(byId).sort()).toEqual(['AlarmDeliveryFailures', 'AlarmKeyLoadFailures', 'AlarmLambdaErrors', 'AlarmRefusedConnects', 'AlarmThrottles']);
    const runbook = readFileSync(join(SERVICE_DIR, '../../docs/operations.md'), 'utf8');
    for (const alarm of Object.values(byId)) {
      expect(alarm.AlarmName).toMatch(/^roomgate-socket-ci-/);
      // Every alarm names its runbook entry, and the entry exists.
      const entry = /docs\/operations\.md, "([a-z0-9-]+)"/.exec(alarm.AlarmDescription)?.[1];
      expect(runbook, alarm.AlarmName).toContain(`#### ${entry}`);
      expect(alarm.TreatMissingData).toBe('notBreaching');
      expect(alarm.Metrics.filter((m) => m.ReturnData !== false)).toHaveLength(1);
      expect(alarm.AlarmActions).toBeUndefined();
    }
    const refused = byId.AlarmRefusedConnects!;
    expect(refused.Threshold).toBe(100);
    expect(refused.Metrics[0]!.MetricStat!.Metric).toEqual({
      Namespace: 'Roomgate',
      MetricName: 'ConnectRefused',
      Dimensions: [
        { Name: 'service', Value: 'roomgate-socket' },
        { Name: 'stage', Value: 'ci' },
      ],
    });
    const lambdaFunctions = byId
      .AlarmLambdaErrors!.Metrics.filter((m) => m.MetricStat?.Metric.Namespace === 'AWS/Lambda')
      .map((m) => m.MetricStat!.Metric.Dimensions);
    expect(lambdaFunctions).toEqual(
      ['Connect', 'Disconnect', 'Default', 'FanOutShard'].map((fn) => [{ Name: 'FunctionName', Value: { Ref: `${fn}LambdaFunction` } }]),
    );
    const dashboard = iamOff.Resources.Dashboard!;
    expect(dashboard.Type).toBe('AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    // Every metric roomgate writes, but the token API's own (a metric nobody can see is how PublishesQueued went missing).
    for (const metric of METRIC_NAMES.filter((name) => name !== 'TokensIssued')) expect(body, metric).toMatch(new RegExp(`\\b${metric}\\b`));
  });

  it("shows API Gateway's WebSocket API metrics for this stack's API and stage on the dashboard", () => {
    const parts = (iamOff.Resources.Dashboard!.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    const body = parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part) === '{"Ref":"WebsocketsApi"}' ? '<api>' : '<ref>')).join('');
    const widgets = (JSON.parse(body) as { widgets: { properties: { metrics: unknown[][] } }[] }).widgets;
    const apiGateway = widgets.flatMap((w) => w.properties.metrics).filter((m) => m[0] === 'AWS/ApiGateway');
    expect(apiGateway).toEqual(
      ['ConnectCount', 'MessageCount', 'IntegrationError', 'ClientError', 'ExecutionError'].map((name) => [
        'AWS/ApiGateway',
        name,
        'ApiId',
        '<api>',
        'Stage',
        'ci',
      ]),
    );
  });

  it("notifies the stage's SNS topic on ALARM and OK, with the stage's thresholds", () => {
    for (const alarm of Object.values(alarms(iamOn))) {
      expect(alarm.AlarmActions, alarm.AlarmName).toEqual([TOPIC]);
      expect(alarm.OKActions, alarm.AlarmName).toEqual([TOPIC]);
    }
    expect(alarms(iamOn).AlarmRefusedConnects!.Threshold).toBe(25);
  });
});
