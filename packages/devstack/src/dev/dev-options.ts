import { isAbsolute, resolve } from 'node:path';
import { parseCommandLine } from '../cli/cli-io.ts';
import { UsageError } from '../errors.ts';
import { assertStage } from '../stage.ts';
import { DEFAULT_PORT_BASE, PORT_PARTS, portLayout, type PortName, type Ports } from './ports.ts';

export interface DevOptions {
  stage: string;
  ports: Ports;
  /** where `--persist` keeps DynamoDB, secrets and the dev API key; undefined: in memory */
  dataDir: string | undefined;
  verbose: boolean;
  /**
   * Source-system compatibility (docs/migrating.md): the socket service also admits RS256 tokens
   * without `kid`, `iss` and `aud` (ALLOW_LEGACY_TOKENS=true, REQUIRE_ISS_AUD=false).
   */
  legacyTokens: boolean;
  /** `--events`: print each lifecycle event the local EventBridge receives, one line each. */
  events: boolean;
  /** The command the user ran, named in advice such as "move the stack: <command> --port-base <n>"; default `pnpm dev`. */
  command?: string;
}

export type ParsedDevArgs = { help: true } | ({ help: false } & DevOptions);

/** Flag names per port, e.g. `--token-api-port`; the env twin is ROOMGATE_DEV_TOKEN_API_PORT. */
const PORT_FLAGS: Record<PortName, string> = {
  tokenApi: 'token-api-port',
  tokenApiLambda: 'token-api-lambda-port',
  socket: 'socket-port',
  socketHttp: 'socket-http-port',
  socketLambda: 'socket-lambda-port',
  demo: 'demo-port',
  dynamo: 'dynamo-port',
  secrets: 'secrets-port',
  events: 'events-port',
};

const envName = (flag: string): string =>
  `ROOMGATE_DEV_${flag
    .replace(/-port$/, '')
    .replaceAll('-', '_')
    .toUpperCase()}_PORT`;

const row = (flag: string, text: string): string => `  ${flag.padEnd(30)}${text}`;

export const DEV_HELP = [
  'Usage: pnpm dev [options]',
  '',
  'Runs roomgate on this machine: local DynamoDB and Secrets Manager, a signing key and a dev API key,',
  'the token API and the socket service under serverless-offline, and the demo chat page.',
  'Ctrl-C stops everything.',
  '',
  'Options:',
  row('--stage <s>', 'stage name (default: local; env ROOMGATE_DEV_STAGE); another stage reads its'),
  row('', 'settings from stages/<s>.yml if there is one, endpoints and tables from pnpm dev'),
  row('--persist', 'keep tables, keys and the dev API key in .roomgate/ across restarts'),
  row('--data-dir <dir>', 'like --persist, in <dir> instead of .roomgate/'),
  row('--verbose, -v', 'stream every log line of the services (default: warnings and errors)'),
  row('--legacy-tokens', 'also admit RS256 tokens without kid/iss/aud, signed with the stage key'),
  row('', 'the way an existing {sub, iat, exp} setup signs them (docs/migrating.md;'),
  row('', 'env ROOMGATE_DEV_LEGACY_TOKENS=true)'),
  row('--events', 'print each lifecycle event (connection opened/closed, message published)'),
  row('', 'as one line: its detail-type and detail (env ROOMGATE_DEV_EVENTS=true)'),
  row('-h, --help', 'this help'),
  '',
  'Ports (all on 127.0.0.1):',
  row('--port-base <n>', `move every port: the token API gets <n>, the rest keep their offsets`),
  row('', `(default ${DEFAULT_PORT_BASE}; env ROOMGATE_DEV_PORT_BASE)`),
  ...PORT_PARTS.map((p) => row(`--${PORT_FLAGS[p.name]} <n>`, `${p.label}, base + ${p.offset} (env ${envName(PORT_FLAGS[p.name])})`)),
  '',
  'A flag wins over its environment variable, which wins over --port-base.',
].join('\n');

/** Flag, then environment, then default. Throws UsageError naming the bad value. */
export function parseDevArgs(argv: string[], env: Record<string, string | undefined>, cwd: string, repoRoot: string): ParsedDevArgs {
  const { values } = parseCommandLine(argv, {
    stage: { type: 'string' },
    persist: { type: 'boolean' },
    'data-dir': { type: 'string' },
    verbose: { type: 'boolean', short: 'v' },
    'legacy-tokens': { type: 'boolean' },
    events: { type: 'boolean' },
    'port-base': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
    ...Object.fromEntries(Object.values(PORT_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
  });
  if (values.help) return { help: true };

  const base = port('--port-base', str(values['port-base']) ?? env.ROOMGATE_DEV_PORT_BASE, DEFAULT_PORT_BASE);
  const ports = portLayout(base);
  if (ports.max > 65_535) throw new UsageError(`--port-base ${base} puts ports past 65535; use at most ${65_535 - (ports.max - base)}`);
  const chosen = { ...ports.ports };
  for (const part of PORT_PARTS) {
    const flag = PORT_FLAGS[part.name];
    const raw = str(values[flag]) ?? env[envName(flag)];
    chosen[part.name] = port(`--${flag}`, raw, chosen[part.name]);
  }
  const seen = new Map<number, PortName>();
  for (const part of PORT_PARTS) {
    const other = seen.get(chosen[part.name]);
    if (other) throw new UsageError(`--${PORT_FLAGS[part.name]} and --${PORT_FLAGS[other]} are both ${chosen[part.name]}; every part needs its own port`);
    seen.set(chosen[part.name], part.name);
  }

  const dataDirFlag = str(values['data-dir']);
  const dataDir =
    dataDirFlag !== undefined
      ? isAbsolute(dataDirFlag)
        ? dataDirFlag
        : resolve(cwd, dataDirFlag)
      : values.persist
        ? resolve(repoRoot, '.roomgate')
        : undefined;
  return {
    help: false,
    stage: assertStage(str(values.stage) ?? env.ROOMGATE_DEV_STAGE ?? 'local'),
    ports: chosen,
    dataDir,
    verbose: values.verbose === true,
    legacyTokens: values['legacy-tokens'] === true || flagEnv('ROOMGATE_DEV_LEGACY_TOKENS', env.ROOMGATE_DEV_LEGACY_TOKENS),
    events: values.events === true || flagEnv('ROOMGATE_DEV_EVENTS', env.ROOMGATE_DEV_EVENTS),
  };
}

function flagEnv(name: string, raw: string | undefined): boolean {
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new UsageError(`${name} must be true or false, got ${JSON.stringify(raw)}`);
}

function str(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function port(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > 65_535) throw new UsageError(`${name} must be a port number 1-65535, got ${JSON.stringify(raw)}`);
  return value;
}
