import { ALGORITHMS, type SigningAlgorithm } from '@roomgate/shared/tokens';
import { UsageError } from '../errors.ts';
import { DEFAULT_MAX_TOKEN_TTL_SECONDS, DEFAULT_SECRETS_MAX_AGE_SECONDS, KeyAdmin, type KeyStatus, type KeySummary } from '../key-admin.ts';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { assertStage } from '../stage.ts';
import { deleteStageSecrets, RECOVERY_WINDOW_DAYS, type DeletedSecret } from '../stage-secrets.ts';
import { runApiKeyCli } from './api-key-command.ts';
import { SECRETS_COMMAND_OPTIONS, parseCommandLine, runSecretsCommand, type KeysCliIo } from './cli-io.ts';

export type { KeysCliIo } from './cli-io.ts';

const COMMANDS = ['create', 'rotate', 'show', 'retire', 'delete'] as const;
type Command = (typeof COMMANDS)[number];

const COMMON = `Options:
  --stage <s>       stage name, 1-32 of a-z 0-9 - (required)
  --endpoint <url>  Secrets Manager endpoint (default: $ROOMGATE_SECRETS_ENDPOINT, else real AWS)
  --region <r>      AWS region (default: the region in stages/<stage>.yml, else us-east-1;
                    another one is refused: keys and stacks share the stage's region)
  --json            machine-readable output
  -h, --help        this help`;

const WINDOW = `  --force           drop the older keys now; their tokens stop verifying
  --secrets-max-age <s>  the token API's SECRETS_MAX_AGE (default: $SECRETS_MAX_AGE, else ${DEFAULT_SECRETS_MAX_AGE_SECONDS})
  --max-token-ttl <s>    the token API's TOKEN_MAX_TTL (default: $TOKEN_MAX_TTL, else ${DEFAULT_MAX_TOKEN_TTL_SECONDS})`;

const HELP: Record<Command | 'main', string> = {
  main: `Usage: pnpm keys <command> --stage <s> [options]

Manage roomgate signing keys in Secrets Manager:
  roomgate/<stage>/signing-key   private; the token API signs with its AWSCURRENT version
  roomgate/<stage>/public-keys   JWKS the socket service verifies with

Commands:
  create   create the first key (fails if one exists unless --if-missing)
  rotate   new key becomes current; the old one keeps verifying as previous
  retire   stop publishing the previous key: its tokens no longer verify
  show     current and previous keys, the JWKS, and whether the stage is healthy (exit 1 if not)
  delete   delete the stage's secrets (signing key, JWKS, API keys), after "pnpm stage remove"
  api-key  create, list or revoke API keys (roomgate/<stage>/api-keys)

${COMMON}

Run "pnpm keys <command> --help" for a command's options.`,
  create: `Usage: pnpm keys create --stage <s> [--alg RS256|ES256|EdDSA] [--if-missing]

Creates roomgate/<stage>/signing-key and publishes its public key in roomgate/<stage>/public-keys.
  --alg <alg>       RS256 (default), ES256 or EdDSA
  --if-missing      keep an existing key after checking it (import, private/public match,
                    size; exit 1 if it cannot sign verifiable tokens) and publish it if the
                    JWKS does not list it

${COMMON}`,
  rotate: `Usage: pnpm keys rotate --stage <s> [--alg RS256|ES256|EdDSA] [--force]

Publishes a new key, then makes it AWSCURRENT; the old key becomes AWSPREVIOUS and keeps
verifying until "retire". Token API containers sign with the new key once they reload their
keys, within SECRETS_MAX_AGE (not only at a cold start); until then they sign with the old key.
The JWKS keeps the new and the old key: a key before those is dropped, so a rotation within
SECRETS_MAX_AGE + TOKEN_MAX_TTL of the previous one is refused (ERR_KEY_IN_USE) unless --force.
  --alg <alg>       algorithm of the new key (default: the current key's)
${WINDOW}

${COMMON}`,
  retire: `Usage: pnpm keys retire --stage <s> [--force]

Publishes only the current key; tokens signed with the previous key stop verifying. Refused
(ERR_KEY_IN_USE) until the current key has been current for SECRETS_MAX_AGE (every token API
container has reloaded) + TOKEN_MAX_TTL (every token signed before has expired); "show" prints
the time. The socket service keeps verifying a retired key until its cached JWKS ages out.
${WINDOW}

${COMMON}`,
  show: `Usage: pnpm keys show --stage <s>

Shows kid, alg and creation time of the current and previous keys, the published JWKS, when the
previous key may be retired, and whether the stage is healthy: the current key imports, its
private key belongs to its public key, it fits its alg (RSA at least 2048 bits) and the JWKS
lists it. Exits 1 when it is not. Private keys are never shown.
  --secrets-max-age, --max-token-ttl   as for rotate

${COMMON}`,
  delete: `Usage: pnpm keys delete --stage <s> [--recovery-window <days> | --force-delete-without-recovery]

Deletes roomgate/<stage>/signing-key, roomgate/<stage>/public-keys and roomgate/<stage>/api-keys.
Run it after "pnpm stage remove": a deployed stage without its keys answers 503 to every token
and connect. By default Secrets Manager keeps each secret restorable for the recovery window
(aws secretsmanager restore-secret --secret-id <name>); during it the names stay taken, so
"pnpm keys create" for this stage fails until they are restored or the window has passed.
  --recovery-window <days>            ${RECOVERY_WINDOW_DAYS.min}-${RECOVERY_WINDOW_DAYS.max} (default ${RECOVERY_WINDOW_DAYS.default})
  --force-delete-without-recovery     delete now, unrecoverably: tokens of this stage never verify again

${COMMON}`,
};

interface Parsed {
  command: Command | undefined;
  help: boolean;
  stage?: string;
  alg?: SigningAlgorithm;
  endpoint?: string;
  region?: string;
  ifMissing: boolean;
  force: boolean;
  json: boolean;
  secretsMaxAgeSeconds?: number;
  maxTokenTtlSeconds?: number;
  recoveryWindowDays?: number;
  forceDelete: boolean;
}

/** Runs the key CLI; resolves with the exit code: 0 ok, 1 failure, 2 usage. */
export function runKeysCli(argv: string[], io: KeysCliIo): Promise<number> {
  // `pnpm keys -- api-key list`: the `--` pnpm passes through would hide the subcommand.
  if (argv[0] === '--') argv = argv.slice(1);
  if (argv[0] === 'api-key') return runApiKeyCli(argv.slice(1), io);
  return runSecretsCommand(argv, io, {
    parse,
    help: (parsed) => HELP[parsed.command ?? 'main'],
    execute: (client, parsed) =>
      parsed.command === 'delete' ? executeDelete(client, parsed) : execute(new KeyAdmin({ client, stage: parsed.stage, ...windowOf(parsed, io.env) }), parsed),
  });
}

function parse(argv: string[]): Parsed {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      ...SECRETS_COMMAND_OPTIONS,
      alg: { type: 'string' },
      'if-missing': { type: 'boolean' },
      force: { type: 'boolean' },
      'secrets-max-age': { type: 'string' },
      'max-token-ttl': { type: 'string' },
      'recovery-window': { type: 'string' },
      'force-delete-without-recovery': { type: 'boolean' },
    },
    true,
  );
  const [name, ...extra] = positionals;
  if (name === 'api-key') throw new UsageError('"api-key" must be the first argument: pnpm keys api-key <create|list|revoke> [options]');
  if (name !== undefined && !(COMMANDS as readonly string[]).includes(name)) {
    throw new UsageError(`unknown command ${JSON.stringify(name)}; expected one of ${[...COMMANDS, 'api-key'].join(', ')}`);
  }
  const command = name as Command | undefined;
  const help = values.help === true;
  const result: Parsed = {
    command,
    help,
    ifMissing: values['if-missing'] === true,
    force: values.force === true,
    json: values.json === true,
    forceDelete: values['force-delete-without-recovery'] === true,
  };
  if (help) return result;
  if (!command) throw new UsageError(`missing command; expected one of ${[...COMMANDS, 'api-key'].join(', ')}`);
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
  if (typeof values.stage !== 'string') throw new UsageError('--stage is required');
  result.stage = assertStage(values.stage);
  if (values.alg !== undefined) {
    if (command !== 'create' && command !== 'rotate') throw new UsageError(`--alg applies to create and rotate, not ${command}`);
    if (!(ALGORITHMS as readonly string[]).includes(values.alg as string)) {
      throw new UsageError(`--alg must be one of ${ALGORITHMS.join(', ')}, got ${JSON.stringify(values.alg)}`);
    }
    result.alg = values.alg as SigningAlgorithm;
  }
  if (result.ifMissing && command !== 'create') throw new UsageError(`--if-missing applies to create, not ${command}`);
  if (result.force && command !== 'rotate' && command !== 'retire') throw new UsageError(`--force applies to rotate and retire, not ${command}`);
  for (const [flag, field] of [
    ['secrets-max-age', 'secretsMaxAgeSeconds'],
    ['max-token-ttl', 'maxTokenTtlSeconds'],
  ] as const) {
    if (values[flag] !== undefined) result[field] = seconds(`--${flag}`, values[flag] as string);
  }
  if ((result.forceDelete || values['recovery-window'] !== undefined) && command !== 'delete')
    throw new UsageError(`--recovery-window and --force-delete-without-recovery apply to delete, not ${command}`);
  if (result.forceDelete && values['recovery-window'] !== undefined)
    throw new UsageError('--recovery-window and --force-delete-without-recovery exclude each other');
  if (values['recovery-window'] !== undefined) {
    const days = /^\d{1,2}$/.test(values['recovery-window'] as string) ? Number(values['recovery-window']) : Number.NaN;
    if (!(days >= RECOVERY_WINDOW_DAYS.min && days <= RECOVERY_WINDOW_DAYS.max)) {
      throw new UsageError(
        `--recovery-window must be ${RECOVERY_WINDOW_DAYS.min}-${RECOVERY_WINDOW_DAYS.max} days, got ${JSON.stringify(values['recovery-window'])}`,
      );
    }
    result.recoveryWindowDays = days;
  }
  if (typeof values.endpoint === 'string') result.endpoint = values.endpoint;
  if (typeof values.region === 'string') result.region = values.region;
  return result;
}

/** A whole number of seconds, 0 to 30 days. */
function seconds(name: string, value: string): number {
  const parsed = /^\d{1,7}$/.test(value) ? Number(value) : Number.NaN;
  if (!(parsed <= 30 * 86_400)) throw new UsageError(`${name} must be a whole number of seconds up to 2592000, got ${JSON.stringify(value)}`);
  return parsed;
}

/** The deployment's reload and token windows: option, then the variable the token API reads, then its default. */
function windowOf(parsed: Parsed, env: Record<string, string | undefined>): { secretsMaxAgeSeconds: number; maxTokenTtlSeconds: number } {
  return {
    secretsMaxAgeSeconds:
      parsed.secretsMaxAgeSeconds ?? (env.SECRETS_MAX_AGE ? seconds('SECRETS_MAX_AGE', env.SECRETS_MAX_AGE) : DEFAULT_SECRETS_MAX_AGE_SECONDS),
    maxTokenTtlSeconds: parsed.maxTokenTtlSeconds ?? (env.TOKEN_MAX_TTL ? seconds('TOKEN_MAX_TTL', env.TOKEN_MAX_TTL) : DEFAULT_MAX_TOKEN_TTL_SECONDS),
  };
}

async function executeDelete(client: SecretsManagerClient, parsed: Parsed & { stage: string }): Promise<string> {
  const results = await deleteStageSecrets(
    client,
    parsed.stage,
    parsed.forceDelete ? { force: true } : { recoveryWindowDays: parsed.recoveryWindowDays ?? RECOVERY_WINDOW_DAYS.default },
  );
  if (parsed.json) return `${JSON.stringify({ action: 'deleted', stage: parsed.stage, secrets: results }, null, 2)}\n`;
  const line = (r: DeletedSecret) =>
    `  ${r.name}: ${r.outcome === 'scheduled' ? `deleted, restorable until ${r.deletionDate ?? '?'}` : r.outcome === 'gone' ? 'deleted without recovery' : 'did not exist'}`;
  return [`Deleted the secrets of stage ${parsed.stage}.`, ...results.map(line), ''].join('\n');
}

async function execute(admin: KeyAdmin, parsed: Parsed): Promise<string | { text: string; exitCode: number }> {
  const alg = parsed.alg ? { alg: parsed.alg } : {};
  const force = { force: parsed.force };
  switch (parsed.command!) {
    case 'create': {
      const { created, status } = await admin.create({ ...alg, ifMissing: parsed.ifMissing });
      return render(parsed, created ? 'created' : 'unchanged', status, created ? 'Created signing key' : 'Signing key already exists, left unchanged');
    }
    case 'rotate':
      return render(parsed, 'rotated', await admin.rotate({ ...alg, ...force }), 'Rotated signing key');
    case 'retire': {
      const { retired, status } = await admin.retire(force);
      const headline = retired.length > 0 ? `Retired ${retired.join(', ')}` : 'Nothing to retire: only the current key is published';
      return render(parsed, 'retired', status, headline, { retired });
    }
    case 'delete':
      throw new UsageError('delete runs without a key admin');
    case 'show': {
      const status = await admin.show();
      return { text: render(parsed, 'shown', status), exitCode: status.healthy ? 0 : 1 };
    }
  }
}

function render(parsed: Parsed, action: string, status: KeyStatus, headline?: string, extra: Record<string, unknown> = {}): string {
  if (parsed.json) return `${JSON.stringify({ action, ...extra, ...status }, null, 2)}\n`;
  const line = (label: string, key: KeySummary | undefined) =>
    key
      ? `  ${label.padEnd(9)} ${key.kid}  ${key.alg.padEnd(6)} created ${key.created_at || key.storedAt || '?'}${key.problem ? `  (invalid: ${key.problem})` : key.published ? '' : '  (not published: does not verify)'}`
      : `  ${label.padEnd(9)} (none)`;
  const jwks = status.jwks ? `${status.jwks.keys.length} key(s): ${status.jwks.keys.map((k) => k.kid).join(', ') || '-'}` : '(missing)';
  return [
    ...(headline ? [`${headline} for stage ${status.stage}.`] : [`Stage ${status.stage}:`]),
    line('current', status.current),
    line('previous', status.previous),
    `  ${'jwks'.padEnd(9)} ${jwks}`,
    `  ${'secrets'.padEnd(9)} ${status.signingKeySecret} (private), ${status.publicKeysSecret} (public)`,
    ...(status.othersDroppableAt ? [`  ${'retire'.padEnd(9)} older keys may be unpublished from ${status.othersDroppableAt}`] : []),
    status.healthy ? `  ${'health'.padEnd(9)} ok` : `  ${'health'.padEnd(9)} NOT OK: ${status.problems.join('; ')}`,
    '',
  ].join('\n');
}
