/**
 * Stops what was started, last started first. Once `runAll` has begun, anything added later
 * (a part that finished starting while we were already shutting down) is stopped at once, so a
 * Ctrl-C in the middle of startup cannot leave a late-starting child behind.
 */
export class Cleanups {
  private readonly steps: { name: string; run: () => Promise<void> }[] = [];
  private running: Promise<void> | undefined;
  private readonly late: Promise<void>[] = [];
  private everAdded = false;

  constructor(private readonly onError: (name: string, error: unknown) => void) {}

  /** true once anything was added: there is something to stop */
  get used(): boolean {
    return this.everAdded;
  }

  get closed(): boolean {
    return this.running !== undefined;
  }

  add(name: string, run: () => Promise<void>): void {
    this.everAdded = true;
    if (this.running) {
      this.late.push(this.safely({ name, run }));
      return;
    }
    this.steps.push({ name, run });
  }

  runAll(): Promise<void> {
    this.running ??= (async () => {
      while (this.steps.length > 0) await this.safely(this.steps.pop()!);
      await Promise.all(this.late);
    })();
    return this.running;
  }

  private async safely(step: { name: string; run: () => Promise<void> }): Promise<void> {
    try {
      await step.run();
    } catch (error) {
      this.onError(step.name, error);
    }
  }
}
