import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';
import { assertStage } from '../stage.ts';
import { REPO_ROOT, loadStage, stageWarnings, type LoadedStage } from '../stage-settings.ts';
import { parseCommandLine } from './cli-io.ts';
import { checkPolicyFlags, stagePolicy, type PolicyAwsIo, type PolicyRequest } from './stage-policy-command.ts';

const HELP = `Usage: pnpm stage <show|deploy|remove> --stage <s> [--dry-run] [--json]
       pnpm stage policy --stage <s> [--caller | --deployer] [--account <id>] [--api-id <id>]

A stage's settings live in stages/<s>.yml (no file: the defaults); both services read them.
  show     the validated settings, with their defaults, and the file they come from
  deploy   in order: the signing key (created if missing), the socket service, the token API
           (it imports the socket stack's URL, table and API id), all in the stage's region
  remove   in order: the token API, then the socket service (its exports are in use until
           then). Secrets stay: "pnpm keys delete --stage <s>" removes them afterwards
  policy   prints an IAM identity policy (JSON) for the stage:
           --caller (default) what a backend role needs to call the token API and the
             Rooms API with SigV4 (execute-api:Invoke on their routes); the role must also
             be listed in iamCallers
           --deployer what "pnpm stage deploy|remove" and "pnpm keys" need, scoped to the
             stage's names where AWS allows it
           The account comes from --account, else STS; the HTTP API id from --api-id, else
             the token API stack's output; unresolved ones print as <account-id> and
             <http-api-id> (said on stderr)

Options:
  --stage <s>   stage name, 1-32 of a-z 0-9 - (required)
  --dry-run     print the commands, in order, with the stage's region; run nothing
  --json        show: machine-readable output
  --caller, --deployer, --account <12 digits>, --api-id <id>   policy, see above
  -h, --help    this help`;

/** One command of a plan: what it is for, where it runs, what it runs. */
export interface PlannedStep {
  title: string;
  cwd: string;
  command: string;
  args: string[];
}

/** What the stage CLI touches outside itself; tests pass their own. */
export interface StageCliIo extends Omit<PolicyAwsIo, 'stderr'> {
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Runs one step with the terminal attached; resolves its exit code. Tests never reach it (--dry-run). */
  run?: (step: PlannedStep, env: Record<string, string | undefined>) => number;
}

/** deploy: keys, then the socket service, then the token API (which imports the socket stack's exports). */
export function deployPlan({ stage, settings }: LoadedStage, repoRoot = REPO_ROOT): PlannedStep[] {
  const region = ['--stage', stage, '--region', settings.region];
  return [
    { title: 'signing key and public JWKS (kept if present)', cwd: repoRoot, command: 'pnpm', args: ['keys', 'create', ...region, '--if-missing'] },
    { title: 'socket service', cwd: join(repoRoot, 'apps', 'socket'), command: 'pnpm', args: ['exec', 'sls', 'deploy', ...region] },
    { title: 'token API and Rooms API', cwd: join(repoRoot, 'apps', 'token-api'), command: 'pnpm', args: ['exec', 'sls', 'deploy', ...region] },
  ];
}

/** remove: the token API first, because it imports the socket stack's exports (CloudFormation refuses otherwise). */
export function removePlan({ stage, settings }: LoadedStage, repoRoot = REPO_ROOT): PlannedStep[] {
  const region = ['--stage', stage, '--region', settings.region];
  return [
    { title: 'token API and Rooms API', cwd: join(repoRoot, 'apps', 'token-api'), command: 'pnpm', args: ['exec', 'sls', 'remove', ...region] },
    { title: 'socket service', cwd: join(repoRoot, 'apps', 'socket'), command: 'pnpm', args: ['exec', 'sls', 'remove', ...region] },
  ];
}

/**
 * The environment the steps run with: ROOMGATE_* variables from the deployer's shell are dropped
 * (only ROOMGATE_STAGES_DIR is kept), so nothing but the stage file decides the settings.
 */
export function stepEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('ROOMGATE_') || name === 'ROOMGATE_STAGES_DIR'));
}

/** Runs the stage CLI; resolves with the exit code: 0 ok, 1 a failed step or bad settings, 2 usage. */
export async function runStageCli(argv: string[], io: StageCliIo): Promise<number> {
  let command: string | undefined;
  let values: Record<string, string | boolean | undefined>;
  try {
    let positionals: string[];
    ({ values, positionals } = parseCommandLine(
      argv,
      {
        stage: { type: 'string' },
        'dry-run': { type: 'boolean' },
        json: { type: 'boolean' },
        caller: { type: 'boolean' },
        deployer: { type: 'boolean' },
        account: { type: 'string' },
        'api-id': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      true,
    ));
    if (values.help) {
      io.stdout(`${HELP}\n`);
      return 0;
    }
    [command] = positionals;
    if (!command || !['show', 'deploy', 'remove', 'policy'].includes(command))
      throw new UsageError(`expected one of show, deploy, remove, policy, got ${JSON.stringify(command ?? '')}`);
    if (positionals.length > 1) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[1])}`);
    if (typeof values.stage !== 'string') throw new UsageError('--stage is required');
    assertStage(values.stage);
    const policyFlags = ['caller', 'deployer', 'account', 'api-id'].filter((name) => values[name] !== undefined);
    if (command !== 'policy' && policyFlags.length > 0) throw new UsageError(`--${policyFlags[0]} goes with policy`);
    if (values.caller && values.deployer) throw new UsageError('give one of --caller and --deployer');
    if (values.deployer && values['api-id'] !== undefined) throw new UsageError('--api-id goes with --caller');
    if (command === 'policy') checkPolicyFlags(policyRequest(values));
  } catch (error) {
    io.stderr(`stage: ${(error as Error).message} (see pnpm stage --help)\n`);
    return 2;
  }
  let loaded: LoadedStage;
  try {
    loaded = loadStage(values.stage as string, io.env);
  } catch (error) {
    io.stderr(`stage: ${(error as Error).message}\n`);
    return 1;
  }
  if (command === 'show') {
    io.stdout(values.json ? `${JSON.stringify(loaded, null, 2)}\n` : renderSettings(loaded));
    return 0;
  }
  if (command === 'policy') {
    const request = policyRequest(values);
    if (request.kind === 'caller' && loaded.settings.callerAuth !== 'iam') {
      io.stderr(
        `stage: stage ${loaded.stage} has callerAuth ${loaded.settings.callerAuth}: callers send an API key (pnpm keys api-key create), no IAM policy applies\n`,
      );
      return 1;
    }
    const policy = await stagePolicy(loaded, request, io);
    io.stdout(`${JSON.stringify(policy, null, 2)}\n`);
    return 0;
  }
  const steps = command === 'deploy' ? deployPlan(loaded) : removePlan(loaded);
  const verb = command === 'deploy' ? 'Deploy' : 'Remove';
  io.stdout(`${verb} stage ${loaded.stage} in ${loaded.settings.region} (${loaded.declared ? loaded.file : 'no stage file: defaults'}):\n`);
  steps.forEach((step, i) => io.stdout(`  ${i + 1}. ${step.title}\n     (cd ${step.cwd} && ${[step.command, ...step.args].join(' ')})\n`));
  // Before the dry-run return too: the plan is where a deployer looks before deploying.
  if (command === 'deploy') for (const warning of stageWarnings(loaded.settings)) io.stderr(`stage: warning: ${warning}\n`);
  if (command === 'remove') io.stdout(`  then, to delete the secrets too: pnpm keys delete --stage ${loaded.stage} --region ${loaded.settings.region}\n`);
  if (values['dry-run']) return 0;
  const run = io.run ?? runInherited;
  for (const [i, step] of steps.entries()) {
    io.stdout(`\n== step ${i + 1}/${steps.length}: ${step.title}\n`);
    const code = run(step, stepEnv(io.env));
    if (code !== 0) {
      io.stderr(`stage: step ${i + 1} (${step.title}) failed with exit code ${code}; later steps did not run\n`);
      return 1;
    }
  }
  if (command === 'deploy') io.stdout(`\nStage ${loaded.stage} deployed. Prove it: pnpm smoke --stage ${loaded.stage}\n`);
  return 0;
}

function policyRequest(values: Record<string, string | boolean | undefined>): PolicyRequest {
  return {
    kind: values.deployer ? 'deployer' : 'caller',
    ...(typeof values.account === 'string' && { account: values.account }),
    ...(typeof values['api-id'] === 'string' && { apiId: values['api-id'] }),
  };
}

function runInherited(step: PlannedStep, env: Record<string, string | undefined>): number {
  return spawnSync(step.command, step.args, { cwd: step.cwd, env, stdio: 'inherit' }).status ?? 1;
}

function renderSettings({ stage, file, declared, settings }: LoadedStage): string {
  const lines = [`Stage ${stage}: ${declared ? file : `no ${file}: every setting is its default`}`];
  for (const [name, value] of Object.entries(settings)) lines.push(`  ${name.padEnd(22)} ${JSON.stringify(value)}`);
  for (const warning of stageWarnings(settings)) lines.push(`  note: ${warning}`);
  return `${lines.join('\n')}\n`;
}
