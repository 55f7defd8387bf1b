import { ApiKeyAdmin, type ApiKeySummary } from '../api-key-admin.ts';
import { UsageError } from '../errors.ts';
import { assertStage } from '../stage.ts';
import { SECRETS_COMMAND_OPTIONS, parseCommandLine, runSecretsCommand, type KeysCliIo } from './cli-io.ts';

const COMMANDS = ['create', 'list', 'revoke'] as const;
type Command = (typeof COMMANDS)[number];

const COMMON = `Options:
  --stage <s>       stage name, 1-32 of a-z 0-9 - (required)
  --endpoint <url>  Secrets Manager endpoint (default: $ROOMGATE_SECRETS_ENDPOINT, else real AWS)
  --region <r>      AWS region (default: the region in stages/<stage>.yml, else us-east-1;
                    another one is refused: keys and stacks share the stage's region)
  --json            machine-readable output
  -h, --help        this help`;

// The token API caches the api-keys secret for SECRETS_MAX_AGE (default 300 s) per container.
const PROPAGATION = 'Running token API containers pick the change up within SECRETS_MAX_AGE (default 5 minutes).';

const HELP: Record<Command | 'main', string> = {
  main: `Usage: pnpm keys api-key <command> --stage <s> [options]

API keys let backends outside AWS (and local development) call the token API with
"x-api-key: <key>". roomgate/<stage>/api-keys stores only each key's SHA-256 and its rooms.

Commands:
  create   create a key for --id and --rooms; prints the key once
  list     ids, room patterns and hash prefixes (never a key)
  revoke   delete the key with --id

${COMMON}`,
  create: `Usage: pnpm keys api-key create --stage <s> --id <id> --rooms <patterns>

  --id <id>          name of the caller, [A-Za-z0-9_.:@-] (shown in token API logs)
  --rooms <list>     comma-separated room patterns: "*", "<prefix>*" or a room id,
                     e.g. 'chat-*,lobby'

The key is printed once; store it in the calling backend's secret store.
${PROPAGATION}

${COMMON}`,
  list: `Usage: pnpm keys api-key list --stage <s>

${COMMON}`,
  revoke: `Usage: pnpm keys api-key revoke --stage <s> --id <id>

${PROPAGATION}

${COMMON}`,
};

interface Parsed {
  command: Command | undefined;
  help: boolean;
  stage?: string;
  id?: string;
  rooms?: string[];
  endpoint?: string;
  region?: string;
  json: boolean;
}

/** `pnpm keys api-key …`; resolves with the exit code: 0 ok, 1 failure, 2 usage. */
export function runApiKeyCli(argv: string[], io: KeysCliIo): Promise<number> {
  return runSecretsCommand(argv, io, {
    parse,
    help: (parsed) => HELP[parsed.command ?? 'main'],
    execute: (client, parsed) => execute(new ApiKeyAdmin({ client, stage: parsed.stage }), parsed),
  });
}

function parse(argv: string[]): Parsed {
  const { values, positionals } = parseCommandLine(argv, { ...SECRETS_COMMAND_OPTIONS, id: { type: 'string' }, rooms: { type: 'string' } }, true);
  const [name, ...extra] = positionals;
  if (name !== undefined && !(COMMANDS as readonly string[]).includes(name)) {
    throw new UsageError(`unknown api-key command ${JSON.stringify(name)}; expected one of ${COMMANDS.join(', ')}`);
  }
  const command = name as Command | undefined;
  const result: Parsed = { command, help: values.help === true, json: values.json === true };
  if (result.help) return result;
  if (!command) throw new UsageError(`missing api-key command; expected one of ${COMMANDS.join(', ')}`);
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
  if (typeof values.stage !== 'string') throw new UsageError('--stage is required');
  result.stage = assertStage(values.stage);
  if (command === 'list') {
    if (values.id !== undefined) throw new UsageError('--id applies to create and revoke, not list');
  } else {
    if (typeof values.id !== 'string') throw new UsageError(`--id is required for ${command}`);
    result.id = values.id;
  }
  if (command === 'create') {
    if (typeof values.rooms !== 'string') throw new UsageError("--rooms is required for create, e.g. --rooms 'chat-*,lobby'");
    result.rooms = values.rooms
      .split(',')
      .map((r) => r.trim())
      .filter((r) => r !== '');
  } else if (values.rooms !== undefined) {
    throw new UsageError(`--rooms applies to create, not ${command}`);
  }
  if (typeof values.endpoint === 'string') result.endpoint = values.endpoint;
  if (typeof values.region === 'string') result.region = values.region;
  return result;
}

async function execute(admin: ApiKeyAdmin, parsed: Parsed): Promise<string> {
  const where = `${admin.secretName}`;
  switch (parsed.command!) {
    case 'create': {
      const { key, summary } = await admin.create({ id: parsed.id!, rooms: parsed.rooms! });
      if (parsed.json) return json({ action: 'created', stage: admin.stage, ...summary, key });
      return [
        `Created API key ${JSON.stringify(summary.id)} for stage ${admin.stage} (rooms: ${summary.rooms.join(', ')}).`,
        "The key is shown only this once; store it in the calling backend's secret store:",
        '',
        `  ${key}`,
        '',
        `Only its SHA-256 is kept, in ${where}. ${PROPAGATION}`,
        '',
      ].join('\n');
    }
    case 'list': {
      const keys = await admin.list();
      if (parsed.json) return json({ action: 'listed', stage: admin.stage, secret: where, keys });
      return renderList(admin.stage, where, keys);
    }
    case 'revoke': {
      const summary = await admin.revoke(parsed.id!);
      if (parsed.json) return json({ action: 'revoked', stage: admin.stage, ...summary });
      return `Revoked API key ${JSON.stringify(summary.id)} for stage ${admin.stage}. ${PROPAGATION}\n`;
    }
  }
}

function renderList(stage: string, secret: string, keys: ApiKeySummary[]): string {
  if (keys.length === 0) return `No API keys for stage ${stage} (${secret}).\n`;
  const width = Math.max(2, ...keys.map((k) => k.id.length));
  return [
    `API keys for stage ${stage} (${secret}):`,
    `  ${'id'.padEnd(width)}  ${'sha256'.padEnd(12)}  rooms`,
    ...keys.map((k) => `  ${k.id.padEnd(width)}  ${k.sha256Prefix}  ${k.rooms.join(', ')}`),
    '',
  ].join('\n');
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
