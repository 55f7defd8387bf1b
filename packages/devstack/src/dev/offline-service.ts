import { startChildService, type ChildService } from './child-service.ts';
import type { OfflineSpec } from './offline-specs.ts';

export interface RunningOffline extends ChildService {
  label: string;
  /** polls `ready` with everything printed so far until it holds, the child exits, or time runs out */
  waitReady(ready: (output: string) => Promise<boolean>, options: { timeoutMs: number }): Promise<'ready' | 'exited' | 'timeout'>;
}

/** serverless-offline for one service, in its own process group, its output kept for readiness and errors. */
export function startOfflineService(spec: OfflineSpec, hooks: { onLine: (line: string) => void; onSlow?: (seconds: number) => void }): RunningOffline {
  let output = '';
  const child = startChildService({
    command: spec.command,
    args: spec.args,
    cwd: spec.cwd,
    env: spec.env,
    onLine: (line) => {
      // Readiness markers appear within the first few KB; later lines need not be kept.
      if (output.length < 256 * 1024) output += `${line}\n`;
      hooks.onLine(line);
    },
  });
  return {
    ...child,
    label: spec.label,
    waitReady: async (ready, { timeoutMs }) => {
      const started = Date.now();
      let nextNotice = 15_000;
      for (;;) {
        if (child.exit()) return 'exited';
        if (await ready(output)) return child.exit() ? 'exited' : 'ready';
        const elapsed = Date.now() - started;
        if (elapsed > timeoutMs) return 'timeout';
        if (elapsed > nextNotice) {
          hooks.onSlow?.(Math.round(elapsed / 1000));
          nextNotice += 15_000;
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
  };
}
