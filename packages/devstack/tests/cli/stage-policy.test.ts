import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStageCli } from '../../src/cli/stage-command.ts';
import type { PolicyDocument } from '../../src/stage-policy.ts';
import { callerIdentityXml, describeStacksXml, fakeClientConfig, stackMissingXml, startFakeAwsQuery } from '../helpers/fake-aws-query.ts';

let fake: Awaited<ReturnType<typeof startFakeAwsQuery>>;
/** The fake's answers: an account for STS, the token API stack only for stage prod. */
let account: string | undefined = '123456789012';

beforeAll(async () => {
  fake = await startFakeAwsQuery(({ Action, StackName }) => {
    if (Action === 'GetCallerIdentity')
      return account
        ? callerIdentityXml(account)
        : { status: 403, xml: '<ErrorResponse><Error><Code>ExpiredToken</Code><Message>expired</Message></Error></ErrorResponse>' };
    if (StackName === 'roomgate-token-api-prod') return describeStacksXml(StackName, { HttpApiId: 'abc123defg', HttpApiUrl: 'https://abc123defg.example' });
    return stackMissingXml(StackName!);
  });
});
afterAll(() => fake.close());

const stagesDir = (files: Record<string, string>) => {
  const dir = mkdtempSync(join(tmpdir(), 'roomgate-policy-'));
  for (const [stage, text] of Object.entries(files)) writeFileSync(join(dir, `${stage}.yml`), text);
  return dir;
};
const STAGES = stagesDir({
  prod: 'region: eu-west-1\n',
  live: 'region: cn-north-1\naccessLogs: false\n',
  keyed: 'callerAuth: api-key\n',
  'blind-abcdefghijklm': 'region: ap-southeast-2\n',
  gov: 'region: us-isob-east-1\n',
});

async function policy(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runStageCli(['policy', ...argv], {
    env: { ROOMGATE_STAGES_DIR: STAGES },
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    createCloudFormationClient: (config) => new CloudFormationClient({ ...config, ...fakeClientConfig(fake.endpoint) }),
    createStsClient: (config) => new STSClient({ ...config, ...fakeClientConfig(fake.endpoint) }),
  });
  return { code, stdout, stderr, document: code === 0 ? (JSON.parse(stdout) as PolicyDocument) : undefined };
}

const resources = (document: PolicyDocument) => document.Statement.flatMap((s) => s.Resource);
/** The partitions the document's ARNs name ("*" names none); empty when it has no ARN at all. */
const partitions = (document: PolicyDocument) => new Set(resources(document).flatMap((arn) => (arn === '*' ? [] : [arn.split(':')[1]])));

describe('pnpm stage policy', () => {
  it('--caller: execute-api:Invoke on the token and Rooms API routes, account from STS, API id from the stack output', async () => {
    const { code, document, stderr } = await policy(['--stage', 'prod']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(document).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'RoomgateTokensAndRooms',
          Effect: 'Allow',
          Action: ['execute-api:Invoke'],
          Resource: [
            'arn:aws:execute-api:eu-west-1:123456789012:abc123defg/$default/POST/v1/tokens',
            'arn:aws:execute-api:eu-west-1:123456789012:abc123defg/$default/*/v1/rooms/*',
            'arn:aws:execute-api:eu-west-1:123456789012:abc123defg/$default/POST/v1/revocations',
          ],
        },
      ],
    });
  });

  it('flags win over lookups; what cannot be resolved prints as a placeholder, said on stderr', async () => {
    expect((await policy(['--stage', 'prod', '--account', '210987654321', '--api-id', 'zzzzzzzzzz'])).document!.Statement[0]!.Resource[0]).toBe(
      'arn:aws:execute-api:eu-west-1:210987654321:zzzzzzzzzz/$default/POST/v1/tokens',
    );
    account = undefined;
    try {
      const { code, document, stderr } = await policy(['--stage', 'staging', '--caller']);
      expect(code).toBe(0);
      expect(document!.Statement[0]!.Resource[0]).toBe('arn:aws:execute-api:us-east-1:<account-id>:<http-api-id>/$default/POST/v1/tokens');
      expect(stderr).toContain('stage: account not resolved (ExpiredToken: expired); printed as <account-id>');
      expect(stderr).toContain('stage: HTTP API id not resolved (stack roomgate-token-api-staging does not exist');
    } finally {
      account = '123456789012';
    }
  });

  it('--caller on an api-key stage refuses: callers need no IAM policy there', async () => {
    const { code, stderr } = await policy(['--stage', 'keyed']);
    expect(code).toBe(1);
    expect(stderr).toContain('callerAuth api-key: callers send an API key (pnpm keys api-key create), no IAM policy applies');
  });

  it("--deployer: every resource is the stage's own (roomgate-<service>-<stage>, roomgate/<stage>/, roomgate-<stage>) except where AWS has no narrower scope", async () => {
    const { code, document } = await policy(['--stage', 'prod', '--deployer']);
    expect(code).toBe(0);
    const sids = document!.Statement.map((s) => s.Sid);
    expect(sids).toEqual(
      expect.arrayContaining([
        'CloudFormationStacks',
        'DeploymentBuckets',
        'LambdaFunctions',
        'FunctionRoles',
        'PassFunctionRolesToLambda',
        'ApiGateway',
        'DynamoDbTables',
        'LogGroups',
        'StageSecrets',
        'EventBus',
        'AccessLogDelivery',
      ]),
    );
    const wide = new Set(['CloudFormationValidate', 'LogGroupsDescribe', 'AccessLogDelivery', 'ApiGateway']);
    for (const statement of document!.Statement.filter((s) => !wide.has(s.Sid))) {
      for (const arn of statement.Resource) {
        expect(arn, statement.Sid).toMatch(/^arn:aws:[a-z0-9-]+:(eu-west-1)?:(123456789012)?:/);
        expect(arn, statement.Sid).toMatch(
          /roomgate-(socket|token-api)-prod-|roomgate-(socket|token-api)-prod($|\/)|roomgate\/prod\/\*$|event-bus\/roomgate-prod$/,
        );
      }
    }
    for (const arn of document!.Statement.find((s) => s.Sid === 'ApiGateway')!.Resource)
      expect(arn).toMatch(/^arn:aws:apigateway:eu-west-1::\/(apis|apis\/\*|tags\/\*)$/);
    expect(resources(document!)).toContain('arn:aws:secretsmanager:eu-west-1:123456789012:secret:roomgate/prod/*');
    expect(resources(document!)).toContain('arn:aws:iam::123456789012:role/roomgate-token-api-prod-*');
    expect(document!.Statement.find((s) => s.Sid === 'PassFunctionRolesToLambda')!.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' },
    });
    // Scoped means a neighbouring stage's names do not match: "prod-" never covers "prod2".
    expect(resources(document!).filter((arn) => /prod[^-/]/.test(arn))).toEqual([]);
  });

  it('--deployer in a China region uses the aws-cn partition, and leaves access-log delivery out when accessLogs is off', async () => {
    const { document } = await policy(['--stage', 'live', '--deployer', '--account', '123456789012']);
    expect(partitions(document!)).toEqual(new Set(['aws-cn']));
    expect(document!.Statement.map((s) => s.Sid)).not.toContain('AccessLogDelivery');
  });

  it("--deployer allows the framework's shortened name of its access-log custom resource function on a long stage", async () => {
    const { document } = await policy(['--stage', 'blind-abcdefghijklm', '--deployer', '--account', '123456789012']);
    const lambda = document!.Statement.find((s) => s.Sid === 'LambdaFunctions')!;
    // What `sls package --stage blind-abcdefghijklm` (ap-southeast-2) names it: osls cuts names past 64 to 32 characters + MD5.
    expect(lambda.Resource).toEqual([
      'arn:aws:lambda:ap-southeast-2:123456789012:function:roomgate-socket-blind-abcdefghijklm-*',
      'arn:aws:lambda:ap-southeast-2:123456789012:function:roomgate-token-api-blind-abcdefghijklm-*',
      'arn:aws:lambda:ap-southeast-2:123456789012:function:roomgate-socket-blind-abcdefghij5e853fa1d684a5f2cdcbf48c7827b428',
    ]);
    // A short stage's custom resource function keeps its full name, which the stack prefix covers.
    const short = (await policy(['--stage', 'prod', '--deployer', '--account', '123456789012'])).document!;
    expect(short.Statement.find((s) => s.Sid === 'LambdaFunctions')!.Resource).toHaveLength(2);
  });

  it('--deployer in an ISO region uses its own partition', async () => {
    const { document } = await policy(['--stage', 'gov', '--deployer', '--account', '123456789012']);
    expect(partitions(document!)).toEqual(new Set(['aws-iso-b']));
  });

  it.each([
    [['--stage', 'prod', '--caller', '--deployer'], /give one of --caller and --deployer/],
    [['--stage', 'prod', '--account', '12345'], /--account must be 12 digits/],
    [['--stage', 'prod', '--deployer', '--api-id', 'abc123defg'], /--api-id goes with --caller/],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    const { code, stderr } = await policy(argv);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('policy flags on another command are a usage error', async () => {
    let stderr = '';
    const code = await runStageCli(['show', '--stage', 'prod', '--deployer'], { env: {}, stdout: () => {}, stderr: (t) => (stderr += t) });
    expect(code).toBe(2);
    expect(stderr).toMatch(/--deployer goes with policy/);
  });
});
