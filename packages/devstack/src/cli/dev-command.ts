import { isDevstackError } from '../errors.ts';
import { renderBanner } from '../dev/banner.ts';
import { DEV_HELP, parseDevArgs, type DevOptions } from '../dev/dev-options.ts';
import { DEV_HOST, DevStack, PART_NAMES } from '../dev/dev-stack.ts';
import { isNotable, prefixer } from '../dev/log-lines.ts';
import { MetricCounters } from '../dev/metric-counters.ts';
import { tcpAccepts } from '../dev/readiness.ts';

const DUPLICATE_SIGNAL_MS = 1_000;

export interface DevCliIo {
  env: Record<string, string | undefined>;
  /** where relative paths given on the command line start from */
  cwd: string;
  repoRoot: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** subscribes to SIGINT/SIGTERM; the handler gets the signal name */
  onSignal: (handler: (signal: string) => void) => void;
}

/**
 * `pnpm dev`: starts the stack, prints the banner, runs until Ctrl-C (or SIGTERM) or until a
 * part dies, then stops everything. Resolves with the exit code: 0 after a requested stop,
 * 1 when a part failed, 2 for a usage error. A second Ctrl-C kills without waiting.
 */
export async function runDevCli(argv: string[], io: DevCliIo): Promise<number> {
  let options: DevOptions;
  try {
    const parsed = parseDevArgs(argv, io.env, io.cwd, io.repoRoot);
    if (parsed.help) {
      io.stdout(`${DEV_HELP}\n`);
      return 0;
    }
    options = parsed;
  } catch (error) {
    io.stderr(`dev: ${(error as Error).message} (see pnpm dev --help)\n`);
    return 2;
  }

  const prefix = prefixer(['dev', 'events', ...PART_NAMES]);
  const say = (line: string) => io.stdout(`${prefix('dev', line)}\n`);
  // The services' EMF lines: shown with --verbose like every line, added up for the summary at the end.
  const counters = new MetricCounters();
  const stack = new DevStack(
    { ...options, repoRoot: io.repoRoot },
    {
      progress: say,
      log: (part, line) => {
        counters.add(line);
        if (options.verbose || isNotable(line)) io.stdout(`${prefix(part, line)}\n`);
      },
      ...(options.events ? { event: (line: string) => io.stdout(`${prefix('events', line)}\n`) } : {}),
    },
  );

  let exitCode = 0;
  let stopping: Promise<void> | undefined;
  let signals = 0;
  let finished: () => void = () => {};
  const done = new Promise<void>((resolve) => (finished = resolve));
  const stop = (why: string) => {
    stopping ??= (async () => {
      if (!stack.startedAnything) {
        await stack.stop();
        finished();
        return;
      }
      say(why);
      await stack.stop();
      const summary = counters.summary();
      if (summary !== undefined) say(summary);
      const open = await openPorts(Object.values(options.ports));
      say(open.length === 0 ? 'stopped; every port is free' : `stopped, but port(s) ${open.join(', ')} still answer: another process holds them`);
      finished();
    })();
    return stopping;
  };
  let firstSignalAt = 0;
  io.onSignal((signal) => {
    // One Ctrl-C arrives more than once: the terminal signals the whole foreground group and each
    // pnpm layer forwards it again. Only a later one is a second, impatient Ctrl-C.
    if (signals > 0 && Date.now() - firstSignalAt < DUPLICATE_SIGNAL_MS) return;
    signals += 1;
    if (signals === 1) {
      firstSignalAt = Date.now();
      void stop(`${signal}: stopping every part…`);
    } else {
      say(`${signal} again: killing without waiting`);
      stack.forceStop();
      exitCode = 1;
      finished();
    }
  });

  try {
    const info = await stack.start();
    if (!stopping) {
      io.stdout(renderBanner(info, { verbose: options.verbose, repoRoot: io.repoRoot }));
      stack.onPartExit((error) => {
        io.stderr(`dev: ${error.message}\n`);
        exitCode = 1;
        void stop('stopping the other parts…');
      });
    }
  } catch (error) {
    if (!stopping) {
      io.stderr(`dev: ${describe(error)}\n`);
      exitCode = 1;
      void stop('stopping what had started…');
    }
  }
  await done;
  return exitCode;
}

async function openPorts(ports: number[]): Promise<number[]> {
  const answers = await Promise.all(ports.map((port) => tcpAccepts(DEV_HOST, port)));
  return ports.filter((_, i) => answers[i]);
}

function describe(error: unknown): string {
  const message = (error as Error)?.message ?? String(error);
  // Our own errors (and local-aws's, e.g. a persisted table with an old schema) say what to do.
  const code = (error as { code?: unknown })?.code;
  if (isDevstackError(error) || (typeof code === 'string' && code.startsWith('ERR_'))) return message;
  return `unexpected error while starting: ${message}`;
}
