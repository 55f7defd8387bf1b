import { parseArgs } from 'node:util';
import { ALGORITHMS, type SigningAlgorithm } from '@roomgate/shared/types';
import { UsageError } from '../errors.ts';
import { KeyAdmin, type KeyStatus, type KeySummary } from '../key-admin.ts';
import { assertStage } from '../stage.ts';
import { runApiKeyCli } from './api-key-command.ts';
import { runSecretsCommand, usageFromParseArgs, type KeysCliIo } from './cli-io.ts';

export type { KeysCliIo } from './cli-io.ts';

const COMMANDS = ['create', 'rotate', 'show', 'retire'] as const;
type Command = (typeof COMMANDS)[number];

const COMMON = `Options:
  --stage <s>       stage name, 1-32 of a-z 0-9 - (required)
  --endpoint <url>  Secrets Manager endpoint (default: $ROOMGATE_SECRETS_ENDPOINT, else real AWS)
  --region <r>      AWS region (default: the SDK's; us-east-1 for a local endpoint)
  --json            machine-readable output
  -h, --help        this help`;

const HELP: Record<Command | 'main', string> = {
  main: `Usage: pnpm keys <command> --stage <s> [options]

Manage roomgate signing keys in Secrets Manager:
  roomgate/<stage>/signing-key   private; the token API signs with its AWSCURRENT version
  roomgate/<stage>/public-keys   JWKS the socket service verifies with

Commands:
  create   create the first key (fails if one exists unless --if-missing)
  rotate   new key becomes current; the old one keeps verifying as previous
  retire   stop publishing the previous key: its tokens no longer verify
  show     kid, alg and creation time of current and previous keys, and the JWKS
  api-key  create, list or revoke API keys (roomgate/<stage>/api-keys)

${COMMON}

Run "pnpm keys <command> --help" for a command's options.`,
  create: `Usage: pnpm keys create --stage <s> [--alg RS256|ES256|EdDSA] [--if-missing]

Creates roomgate/<stage>/signing-key and publishes its public key in roomgate/<stage>/public-keys.
  --alg <alg>       RS256 (default), ES256 or EdDSA
  --if-missing      succeed without changes when the key already exists

${COMMON}`,
  rotate: `Usage: pnpm keys rotate --stage <s> [--alg RS256|ES256|EdDSA]

Publishes a new key, then makes it AWSCURRENT; the old key becomes AWSPREVIOUS and keeps
verifying until "retire". Token API containers pick the new key up at their next cold start.
  --alg <alg>       algorithm of the new key (default: the current key's)

${COMMON}`,
  retire: `Usage: pnpm keys retire --stage <s>

Publishes only the current key. Tokens signed with the previous key stop verifying, so wait until
every token API container has the new key and the longest token lifetime has passed.

${COMMON}`,
  show: `Usage: pnpm keys show --stage <s>

Shows kid, alg and creation time of the current and previous keys, and the published JWKS.
Private keys are never shown.

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
  json: boolean;
}

/** Runs the key CLI; resolves with the exit code: 0 ok, 1 failure, 2 usage. */
export function runKeysCli(argv: string[], io: KeysCliIo): Promise<number> {
  if (argv[0] === 'api-key') return runApiKeyCli(argv.slice(1), io);
  return runSecretsCommand(argv, io, {
    parse,
    help: (parsed) => HELP[parsed.command ?? 'main'],
    execute: (client, parsed) => execute(new KeyAdmin({ client, stage: parsed.stage }), parsed),
  });
}

function parse(argv: string[]): Parsed {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        stage: { type: 'string' },
        alg: { type: 'string' },
        endpoint: { type: 'string' },
        region: { type: 'string' },
        'if-missing': { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw usageFromParseArgs(error);
  }
  const [name, ...extra] = positionals;
  if (name === 'api-key') throw new UsageError('"api-key" must be the first argument: pnpm keys api-key <create|list|revoke> [options]');
  if (name !== undefined && !(COMMANDS as readonly string[]).includes(name)) {
    throw new UsageError(`unknown command ${JSON.stringify(name)}; expected one of ${[...COMMANDS, 'api-key'].join(', ')}`);
  }
  const command = name as Command | undefined;
  const help = values.help === true;
  const result: Parsed = { command, help, ifMissing: values['if-missing'] === true, json: values.json === true };
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
  if (typeof values.endpoint === 'string') result.endpoint = values.endpoint;
  if (typeof values.region === 'string') result.region = values.region;
  return result;
}

async function execute(admin: KeyAdmin, parsed: Parsed): Promise<string> {
  const alg = parsed.alg ? { alg: parsed.alg } : {};
  switch (parsed.command!) {
    case 'create': {
      const { created, status } = await admin.create({ ...alg, ifMissing: parsed.ifMissing });
      return render(parsed, created ? 'created' : 'unchanged', status, created ? 'Created signing key' : 'Signing key already exists, left unchanged');
    }
    case 'rotate':
      return render(parsed, 'rotated', await admin.rotate(alg), 'Rotated signing key');
    case 'retire': {
      const { retired, status } = await admin.retire();
      const headline = retired.length > 0 ? `Retired ${retired.join(', ')}` : 'Nothing to retire: only the current key is published';
      return render(parsed, 'retired', status, headline, { retired });
    }
    case 'show':
      return render(parsed, 'shown', await admin.show());
  }
}

function render(parsed: Parsed, action: string, status: KeyStatus, headline?: string, extra: Record<string, unknown> = {}): string {
  if (parsed.json) return `${JSON.stringify({ action, ...extra, ...status }, null, 2)}\n`;
  const line = (label: string, key: KeySummary | undefined) =>
    key
      ? `  ${label.padEnd(9)} ${key.kid}  ${key.alg.padEnd(6)} created ${key.created_at}${key.published ? '' : '  (not published: does not verify)'}`
      : `  ${label.padEnd(9)} (none)`;
  const jwks = status.jwks ? `${status.jwks.keys.length} key(s): ${status.jwks.keys.map((k) => k.kid).join(', ') || '-'}` : '(missing)';
  return [
    ...(headline ? [`${headline} for stage ${status.stage}.`] : [`Stage ${status.stage}:`]),
    line('current', status.current),
    line('previous', status.previous),
    `  ${'jwks'.padEnd(9)} ${jwks}`,
    `  ${'secrets'.padEnd(9)} ${status.signingKeySecret} (private), ${status.publicKeysSecret} (public)`,
    '',
  ].join('\n');
}
