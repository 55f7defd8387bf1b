import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCloudFormationYaml } from '@roomgate/local-aws';
import { describe, expect, it } from 'vitest';
import { runStageCli, type PlannedStep, type StageCliIo } from '../../src/cli/stage-command.ts';
import { REPO_ROOT } from '../../src/stage-settings.ts';

/** A stages folder holding `<stage>.yml` (JSON is YAML). */
function stagesDir(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'roomgate-stage-cli-'));
  for (const [stage, settings] of Object.entries(files))
    writeFileSync(join(dir, `${stage}.yml`), typeof settings === 'string' ? settings : JSON.stringify(settings));
  return dir;
}

async function stage(argv: string[], env: Record<string, string>, run?: StageCliIo['run']) {
  let stdout = '';
  let stderr = '';
  const io: StageCliIo = {
    env,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    // --dry-run must never run anything.
    run:
      run ??
      (() => {
        throw new Error('ran a step');
      }),
  };
  const code = await runStageCli(argv, io);
  return { code, stdout, stderr };
}

const commandLines = (stdout: string) => [...stdout.matchAll(/\(cd (\S+) && (.+)\)/g)].map((m) => `${m[1]!.replace(REPO_ROOT, '.')}: ${m[2]}`);

describe('pnpm stage', () => {
  it('stages/example.yml documents every setting with its default value', async () => {
    const { code, stdout } = await stage(['show', '--stage', 'example', '--json'], {});
    expect(code).toBe(0);
    const { DEFAULTS } = createRequire(import.meta.url)(join(REPO_ROOT, 'stages', 'settings.cjs')) as { DEFAULTS: Record<string, unknown> };
    const shown = JSON.parse(stdout) as { declared: boolean; settings: Record<string, unknown> };
    expect(shown.declared).toBe(true);
    expect(shown.settings).toEqual(DEFAULTS);
    expect(Object.keys(parseCloudFormationYaml(readFileSync(join(REPO_ROOT, 'stages', 'example.yml'), 'utf8')) as object).sort()).toEqual(
      Object.keys(DEFAULTS).sort(),
    );
  });

  it("deploy --dry-run: keys, then the socket service, then the token API, all in the stage file's region", async () => {
    const env = { ROOMGATE_STAGES_DIR: stagesDir({ prod: { region: 'eu-central-1' } }) };
    const { code, stdout } = await stage(['deploy', '--stage', 'prod', '--dry-run'], env);
    expect(code).toBe(0);
    expect(stdout).toContain('Deploy stage prod in eu-central-1');
    expect(commandLines(stdout)).toEqual([
      '.: pnpm keys create --stage prod --region eu-central-1 --if-missing',
      './apps/socket: pnpm exec sls deploy --stage prod --region eu-central-1',
      './apps/token-api: pnpm exec sls deploy --stage prod --region eu-central-1',
    ]);
  });

  it("remove --dry-run: the token API before the socket service (it imports the socket stack's exports), secrets left to keys delete", async () => {
    const { code, stdout } = await stage(['remove', '--stage', 'prod', '--dry-run'], { ROOMGATE_STAGES_DIR: stagesDir({}) });
    expect(code).toBe(0);
    expect(stdout).toContain('no stage file: defaults');
    expect(commandLines(stdout)).toEqual([
      './apps/token-api: pnpm exec sls remove --stage prod --region us-east-1',
      './apps/socket: pnpm exec sls remove --stage prod --region us-east-1',
    ]);
    expect(stdout).toContain('pnpm keys delete --stage prod --region us-east-1');
  });

  it("runs the steps in order with the shell's ROOMGATE_* settings dropped, and stops at the first failure, naming it", async () => {
    const ran: Array<{ step: PlannedStep; env: Record<string, string | undefined> }> = [];
    const dir = stagesDir({ prod: {} });
    const { code, stderr } = await stage(['deploy', '--stage', 'prod'], { ROOMGATE_STAGES_DIR: dir, ROOMGATE_IAM_CALLERS: '{}', PATH: '/bin' }, (step, env) => {
      ran.push({ step, env });
      return ran.length === 2 ? 3 : 0;
    });
    expect(code).toBe(1);
    expect(ran.map((r) => r.step.title)).toEqual(['signing key and public JWKS (kept if present)', 'socket service']);
    expect(ran[0]!.env).toEqual({ ROOMGATE_STAGES_DIR: dir, PATH: '/bin' });
    expect(stderr).toBe(
      'stage: warning: callerAuth is iam and iamCallers is empty: every token and Rooms API request is refused (403)\n' +
        'stage: step 2 (socket service) failed with exit code 3; later steps did not run\n',
    );
  });

  it('deploy warns about an IAM stage without callers, in a dry run too; not once callers are declared', async () => {
    const dir = stagesDir({ prod: {}, live: { iamCallers: { 'arn:aws:iam::111122223333:role/chat': ['chat-*'] } }, keyed: { callerAuth: 'api-key' } });
    const warning = 'stage: warning: callerAuth is iam and iamCallers is empty: every token and Rooms API request is refused (403)\n';
    expect(await stage(['deploy', '--stage', 'prod', '--dry-run'], { ROOMGATE_STAGES_DIR: dir })).toMatchObject({ code: 0, stderr: warning });
    expect(await stage(['deploy', '--stage', 'live', '--dry-run'], { ROOMGATE_STAGES_DIR: dir })).toMatchObject({ code: 0, stderr: '' });
    expect(await stage(['deploy', '--stage', 'keyed', '--dry-run'], { ROOMGATE_STAGES_DIR: dir })).toMatchObject({ code: 0, stderr: '' });
  });

  it.each([['show'], ['deploy', '--dry-run'], ['remove', '--dry-run'], ['policy', '--deployer', '--account', '123456789012']])(
    'refuses the devstack\'s stage "local" (%s): only serverless-offline runs it',
    async (command, ...flags) => {
      const { code, stdout, stderr } = await stage([command, ...flags, '--stage', 'local'], { ROOMGATE_STAGES_DIR: stagesDir({}) });
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/stage "local" is the devstack's \(pnpm dev, sls offline --stage local\).*cannot be shown, packaged or deployed/);
    },
  );

  it('refuses serverless variables in a stage file: its settings must not depend on the shell', async () => {
    const dir = stagesDir({ prod: '# ${comments} are fine\ntokenIssuer: iss-${sls:stage}\ntokenAudience: ${env:BLIND_AUD, "aud"}\n' });
    const { code, stderr } = await stage(['show', '--stage', 'prod'], { ROOMGATE_STAGES_DIR: dir });
    expect(code).toBe(1);
    expect(stderr).toContain('stages/prod.yml: line 2: "${…}" variables are not allowed in a stage file');
    expect(stderr).toContain('line 3: "${…}" variables');
    expect(stderr).not.toContain('line 1');
  });

  it('show prints every setting with its defaults, and warns about an IAM stage without callers', async () => {
    const { code, stdout } = await stage(['show', '--stage', 'prod'], { ROOMGATE_STAGES_DIR: stagesDir({ prod: { socketIamAuth: true } }) });
    expect(code).toBe(0);
    expect(stdout).toMatch(/socketIamAuth +true/);
    expect(stdout).toMatch(/region +"us-east-1"/);
    expect(stdout).toMatch(/throttle +\{"socket":\{"rateLimit":100,"burstLimit":200\}/);
    expect(stdout).toContain('iamCallers is empty: every token and Rooms API request is refused (403)');
  });

  it('refuses invalid settings before running anything, listing every problem', async () => {
    const { code, stderr } = await stage(['deploy', '--stage', 'prod'], { ROOMGATE_STAGES_DIR: stagesDir({ prod: 'callerAuth: sigv4\nsocketStage: live\n' }) });
    expect(code).toBe(1);
    expect(stderr).toContain('callerAuth must be "iam" or "api-key", got "sigv4"');
    expect(stderr).toContain('"socketStage" is no longer a setting');
  });

  it.each([
    ['alarms: { topicArn: ops-alerts }\n', 'alarms.topicArn must be null or an SNS topic ARN'],
    ['alarms: { topicArn: "arn:aws:sns:eu-west-1:123456789012:ops" }\n', "alarms.topicArn must be in the stage's region us-east-1"],
    // The region's name alone is not enough: a topic in the wrong partition, as iamCallers' ARNs.
    [
      'region: cn-north-1\nalarms: { topicArn: "arn:aws:sns:cn-north-1:123456789012:ops" }\n',
      'alarms.topicArn "arn:aws:sns:cn-north-1:123456789012:ops" is in partition aws, the stage\'s region cn-north-1 in aws-cn',
    ],
    ['alarms: { deliveryFailurePercent: 0 }\n', 'alarms.deliveryFailurePercent must be a whole number from 1 to 100, got 0'],
    ['alarms: { refusedConnects: 5 }\n', 'unknown setting alarms.refusedConnects'],
  ])('refuses alarm settings CloudFormation or CloudWatch would refuse: %s', async (file, problem) => {
    const { code, stderr } = await stage(['deploy', '--stage', 'prod'], { ROOMGATE_STAGES_DIR: stagesDir({ prod: file }) });
    expect(code).toBe(1);
    expect(stderr).toContain(problem);
  });

  it('accepts an alarm topic in every partition the stage settings know, e.g. the European Sovereign Cloud', async () => {
    const file = 'region: eusc-de-east-1\nalarms: { topicArn: "arn:aws-eusc:sns:eusc-de-east-1:123456789012:ops" }\n';
    const { code, stderr } = await stage(['show', '--stage', 'prod'], { ROOMGATE_STAGES_DIR: stagesDir({ prod: file }) });
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('refuses a history count the functions would refuse at their cold start', async () => {
    const { code, stderr } = await stage(['deploy', '--stage', 'prod'], { ROOMGATE_STAGES_DIR: stagesDir({ prod: 'historyMaxMessages: 10001\n' }) });
    expect(code).toBe(1);
    expect(stderr).toContain('historyMaxMessages must be a whole number from 1 to 10000, got 10001');
  });

  it.each([
    [['deploy'], /--stage is required/],
    [['launch', '--stage', 'prod'], /expected one of show, deploy, remove, policy, got "launch"/],
    [['deploy', '--stage=-prod'], /invalid stage "-prod"/],
    // pnpm passes a literal `--` through (`pnpm stage -- deploy …`): the command and its options are still read.
    [['--', 'deploy', '--stage', 'prod', '--caller'], /--caller goes with policy/],
    [['deploy', '--stage', 'prod', '--account', '-5'], /--account needs a value, and a value starting with "-" is not accepted/],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    const { code, stderr } = await stage(argv, {});
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});
