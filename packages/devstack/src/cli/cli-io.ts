import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { SecretsManagerClient, SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { localClientConfig } from '@roomgate/local-aws';
import { createSecretsManagerClient, SECRETS_MANAGER_CLIENT_SETTINGS } from '@roomgate/shared/runtime';
import { isRoomgateError } from '@roomgate/shared/errors';
import { isDevstackError, UsageError } from '../errors.ts';
import { loadStage } from '../stage-settings.ts';

/** What the key CLIs touch outside themselves; tests pass their own. */
export interface KeysCliIo {
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** injected by tests; the default builds the real client */
  createClient?: (config: SecretsManagerClientConfig) => SecretsManagerClient;
}

/** Explicit option, then environment; with neither, the SDK's default chain talks to real AWS. */
export function makeSecretsClient(options: { endpoint?: string | undefined; region?: string | undefined }, io: KeysCliIo): SecretsManagerClient {
  const endpoint = options.endpoint ?? (io.env.ROOMGATE_SECRETS_ENDPOINT || undefined);
  let config: SecretsManagerClientConfig = options.region ? { region: options.region } : {};
  if (endpoint) {
    if (!URL.canParse(endpoint)) throw new UsageError(`endpoint ${JSON.stringify(endpoint)} is not a URL`);
    config = { ...localClientConfig(endpoint), ...config };
  }
  // A hung endpoint fails the command in seconds instead of holding the terminal. The settings are
  // spelled out (the factory applies them too) so a test's `createClient` receives them as well.
  return (io.createClient ?? createSecretsManagerClient)({ ...SECRETS_MANAGER_CLIENT_SETTINGS, ...config });
}

/**
 * The region rule shared with both services: against real AWS, the stage file's region
 * (stages/<stage>.yml, default us-east-1), never the SDK's default; a --region that differs is
 * refused (ERR_STAGE_SETTINGS). A local endpoint keeps --region as given.
 */
function regionOf(parsed: SecretsCommand, io: KeysCliIo): string | undefined {
  if (parsed.endpoint ?? (io.env.ROOMGATE_SECRETS_ENDPOINT || undefined)) return parsed.region;
  if (parsed.stage === undefined) return parsed.region;
  return loadStage(parsed.stage, io.env, parsed.region === undefined ? {} : { region: parsed.region }).settings.region;
}

/** What every Secrets Manager subcommand has after parsing. */
export interface SecretsCommand {
  help: boolean;
  stage?: string;
  endpoint?: string;
  region?: string;
}

/** The options behind `SecretsCommand`, which every `pnpm keys` subcommand's `parseCommandLine` takes. */
export const SECRETS_COMMAND_OPTIONS = {
  stage: { type: 'string' },
  endpoint: { type: 'string' },
  region: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies NonNullable<ParseArgsConfig['options']>;

export interface SecretsCommandSpec<P extends SecretsCommand> {
  /** Throws UsageError for a bad command line. */
  parse(argv: string[]): P;
  help(parsed: P): string;
  /** Runs the parsed command; resolves with what to print, and the exit code when it is not 0. */
  execute(client: SecretsManagerClient, parsed: P & { stage: string }): Promise<string | { text: string; exitCode: number }>;
}

/**
 * The shape of every `pnpm keys` subcommand: parse, answer --help, build the client, run,
 * report one line on failure, always release the client. Resolves with the exit code.
 */
export async function runSecretsCommand<P extends SecretsCommand>(argv: string[], io: KeysCliIo, spec: SecretsCommandSpec<P>): Promise<number> {
  let parsed: P;
  let client: SecretsManagerClient;
  try {
    parsed = spec.parse(argv);
    if (parsed.help) {
      io.stdout(`${spec.help(parsed)}\n`);
      return 0;
    }
    client = makeSecretsClient({ ...parsed, region: regionOf(parsed, io) }, io);
  } catch (error) {
    return reportFailure(io, error);
  }
  try {
    const result = await spec.execute(client, parsed as P & { stage: string });
    io.stdout(typeof result === 'string' ? result : result.text);
    return typeof result === 'string' ? 0 : result.exitCode;
  } catch (error) {
    return reportFailure(io, error);
  } finally {
    client.destroy();
  }
}

/**
 * An error the CLIs explain in one line without "unexpected error": ours (devstack's, the shared
 * library's) and a stage file refused by stages/settings.cjs (ERR_STAGE_SETTINGS).
 */
export function isKnownCliError(error: unknown): boolean {
  return isDevstackError(error) || isRoomgateError(error) || (error as { code?: string })?.code === 'ERR_STAGE_SETTINGS';
}

/** One line on stderr, never a stack trace; resolves the exit code: 2 usage, 1 anything else. */
export function reportFailure(io: KeysCliIo, error: unknown): number {
  const usage = isDevstackError(error) && (error.code === 'ERR_USAGE' || error.code === 'ERR_STAGE_INVALID');
  const known = isKnownCliError(error);
  const message = String((error as Error)?.message ?? error).split('\n')[0]!;
  io.stderr(`keys: ${known ? message : `unexpected error: ${message}`}${usage ? ' (see pnpm keys --help)' : hintFor(error)}\n`);
  return usage ? 2 : 1;
}

/** The two ways a first run against real AWS usually fails, with what to do about them. */
function hintFor(error: unknown): string {
  const cause = (error as { cause?: { name?: string; message?: string } })?.cause;
  if (cause?.name === 'CredentialsProviderError') {
    return ' (configure AWS credentials, or use --endpoint / ROOMGATE_SECRETS_ENDPOINT for the local stack)';
  }
  if (cause?.message?.includes('Region is missing')) return ' (pass --region or set AWS_REGION)';
  return '';
}

/**
 * parseArgs explains '--' escaping at length; its first sentence is the useful part. A value that
 * starts with '-' ("--secrets-max-age -5") is read as another option and called "ambiguous"; say
 * what is wrong with it instead.
 */
export function usageFromParseArgs(error: unknown): UsageError {
  const message = (error as Error).message;
  const ambiguous = /^Option '(--[a-z-]+)[^']*' argument is ambiguous/.exec(message);
  if (ambiguous) return new UsageError(`${ambiguous[1]} needs a value, and a value starting with "-" is not accepted (negative numbers are never valid here)`);
  return new UsageError(message.split('. ')[0]!.replace(/\.$/, ''));
}

/**
 * node:util parseArgs, strict, for every devstack command line: drops the literal `--` pnpm passes
 * through when users type `pnpm dev -- --verbose`, and throws UsageError (see usageFromParseArgs)
 * for an unknown option or a missing value.
 */
export function parseCommandLine(
  argv: string[],
  options: NonNullable<ParseArgsConfig['options']>,
  allowPositionals = false,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv[0] === '--' ? argv.slice(1) : argv, strict: true, allowPositionals, options });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (error) {
    throw usageFromParseArgs(error);
  }
}
