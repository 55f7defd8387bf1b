import { describe, expect, it } from 'vitest';
import { DEV_HELP, parseDevArgs } from '../../src/dev/dev-options.ts';

const parse = (argv: string[], env: Record<string, string> = {}) => parseDevArgs(argv, env, '/home/me/somewhere', '/repo');

describe('parseDevArgs', () => {
  it('defaults: stage local, in memory, quiet, ports in blocks of a hundred from 4100', () => {
    expect(parse([])).toEqual({
      help: false,
      stage: 'local',
      dataDir: undefined,
      verbose: false,
      legacyTokens: false,
      events: false,
      ports: {
        tokenApi: 4100,
        tokenApiLambda: 4101,
        socket: 4200,
        socketHttp: 4201,
        socketLambda: 4202,
        demo: 4300,
        dynamo: 4400,
        secrets: 4500,
        events: 4501,
      },
    });
  });

  it('--events (or ROOMGATE_DEV_EVENTS=true) prints lifecycle events, and --help lists it', () => {
    expect(parse(['--events'])).toMatchObject({ events: true });
    expect(parse([], { ROOMGATE_DEV_EVENTS: 'true' })).toMatchObject({ events: true });
    expect(() => parse([], { ROOMGATE_DEV_EVENTS: 'maybe' })).toThrow(/ROOMGATE_DEV_EVENTS must be true or false/);
    expect(DEV_HELP).toMatch(/--events/);
  });

  it('--port-base moves every port; a per-part flag beats its env twin, which beats the base', () => {
    const parsed = parse(['--port-base', '6100', '--demo-port', '7000'], { ROOMGATE_DEV_DEMO_PORT: '7001', ROOMGATE_DEV_SOCKET_PORT: '7002' });
    expect(parsed).toMatchObject({ ports: { tokenApi: 6100, socket: 7002, socketLambda: 6202, demo: 7000, secrets: 6500 } });
    expect(parse([], { ROOMGATE_DEV_PORT_BASE: '5100' })).toMatchObject({ ports: { tokenApi: 5100, dynamo: 5400 } });
  });

  it('--persist keeps data in .roomgate/ at the repo root; --data-dir is relative to where the user stands', () => {
    expect(parse(['--persist'])).toMatchObject({ dataDir: '/repo/.roomgate' });
    expect(parse(['--data-dir', 'data'])).toMatchObject({ dataDir: '/home/me/somewhere/data' });
    expect(parse(['--data-dir', '/tmp/rg'])).toMatchObject({ dataDir: '/tmp/rg' });
  });

  it('accepts the literal -- pnpm passes through, -v, --stage and --help', () => {
    expect(parse(['--', '-v', '--stage', 'demo'])).toMatchObject({ verbose: true, stage: 'demo' });
    expect(parse(['--help'])).toEqual({ help: true });
    expect(DEV_HELP).toContain('  --token-api-lambda-port <n>   token API (offline lambda endpoint), base + 1 (env ROOMGATE_DEV_TOKEN_API_LAMBDA_PORT)');
  });

  it('--legacy-tokens (or ROOMGATE_DEV_LEGACY_TOKENS=true) turns source-system compatibility on, and --help lists it', () => {
    expect(parse(['--legacy-tokens'])).toMatchObject({ legacyTokens: true });
    expect(parse([], { ROOMGATE_DEV_LEGACY_TOKENS: 'true' })).toMatchObject({ legacyTokens: true });
    expect(parse([], { ROOMGATE_DEV_LEGACY_TOKENS: 'false' })).toMatchObject({ legacyTokens: false });
    expect(() => parse([], { ROOMGATE_DEV_LEGACY_TOKENS: 'yes' })).toThrow(/^ROOMGATE_DEV_LEGACY_TOKENS must be true or false, got "yes"$/);
    expect(DEV_HELP).toMatch(/--legacy-tokens\s+also admit RS256 tokens without kid\/iss\/aud/);
    expect(DEV_HELP).toContain('docs/migrating.md');
  });

  it.each([
    [['--token-api-port', 'abc'], /^--token-api-port must be a port number 1-65535, got "abc"$/],
    [['--demo-port', '70000'], /^--demo-port must be a port number/],
    [['--port-base', '65400'], /^--port-base 65400 puts ports past 65535; use at most 65134$/],
    [['--demo-port', '4100'], /^--demo-port and --token-api-port are both 4100; every part needs its own port$/],
    [['--stage', 'Prod'], /^invalid stage "Prod"/],
    // The token API refuses such a STAGE at start-up: the CLI and the deployed functions share one pattern.
    [['--stage=-dev'], /^invalid stage "-dev": use 1-32 characters of a-z, 0-9 and -, starting with a letter or digit$/],
    [['--colour'], /^Unknown option '--colour'$/],
    [['extra'], /^Unexpected argument 'extra'$/],
    [['--port-base', '-5'], /^--port-base needs a value, and a value starting with "-" is not accepted/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parse(argv)).toThrow(message);
  });
});
