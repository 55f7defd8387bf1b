import type WebSocket from 'ws';

/**
 * The frames one WebSocket received, kept in order so a step can wait for a frame that arrived
 * before it started looking (the own message can overtake the publish ack), and the close.
 */
export class FrameInbox {
  private readonly frames: Array<Record<string, unknown>> = [];
  private readonly waiters = new Set<() => void>();
  private closeInfo: { code: number; reason: string } | undefined;

  constructor(ws: WebSocket) {
    ws.on('message', (data) => {
      try {
        const frame = JSON.parse(String(data)) as unknown;
        if (frame && typeof frame === 'object') this.frames.push(frame as Record<string, unknown>);
      } catch {
        this.frames.push({ type: '(not JSON)', text: String(data).slice(0, 200) });
      }
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closeInfo = { code, reason: reason.toString() };
      this.wake();
    });
  }

  /** Resolves the first frame (received before or after the call) that `matches`; rejects after `timeoutMs` or on close. */
  next(matches: (frame: Record<string, unknown>) => boolean, timeoutMs: number, what: string): Promise<Record<string, unknown>> {
    return this.waitFor(
      () => this.frames.find(matches),
      timeoutMs,
      () => `no ${what} within ${timeoutMs} ms${this.seen()}`,
      true,
    );
  }

  /** Resolves the close code and reason; rejects after `timeoutMs`. */
  closed(timeoutMs: number): Promise<{ code: number; reason: string }> {
    return this.waitFor(
      () => this.closeInfo,
      timeoutMs,
      () => `the socket was still open after ${timeoutMs} ms${this.seen()}`,
      false,
    );
  }

  /** Frames received so far, for failure messages (never a token: the server sends none). */
  private seen(): string {
    const last = this.frames.slice(-3).map((f) => JSON.stringify(f).slice(0, 200));
    return last.length === 0 ? '; no frame received' : `; last frames: ${last.join(' ')}`;
  }

  private waitFor<T>(found: () => T | undefined, timeoutMs: number, why: () => string, failOnClose: boolean): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = found();
        if (value !== undefined) return finish(() => resolve(value));
        if (failOnClose && this.closeInfo)
          finish(() => reject(new Error(`the socket closed (${this.closeInfo!.code} ${this.closeInfo!.reason})${this.seen()}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(why()))), timeoutMs);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
