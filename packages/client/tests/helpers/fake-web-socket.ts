import type { ClientFrame, ServerFrame, WebSocketLike } from '../../src/index.ts';

/**
 * A WebSocket the test drives by hand: `open()`, `receive()`, `refuse()`, `drop()`. Every
 * instance is recorded so tests can reach the socket the client opened last.
 */
export class FakeWebSocket implements WebSocketLike {
  static instances: FakeWebSocket[] = [];
  /** Called as a socket opens (where the server's `$connect` would record the join). */
  static onOpen: ((socket: FakeWebSocket) => void) | undefined;

  static reset(): void {
    FakeWebSocket.instances = [];
    FakeWebSocket.onOpen = undefined;
  }

  static get last(): FakeWebSocket {
    const socket = FakeWebSocket.instances.at(-1);
    if (!socket) throw new Error('no socket was opened');
    return socket;
  }

  readonly sent: Array<ClientFrame & { id: number }> = [];
  closedWith: { code: number | undefined; reason: string | undefined } | undefined;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(
    readonly url: string,
    readonly protocols?: string | string[],
  ) {
    FakeWebSocket.instances.push(this);
  }

  send(data: string): void {
    if (this.closedWith) throw new Error('send after close');
    this.sent.push(JSON.parse(data) as ClientFrame & { id: number });
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    // Real sockets report their own close later; the client must ignore it by then.
    queueMicrotask(() => this.onclose?.({ code: code ?? 1005, reason: reason ?? '' }));
  }

  open(): void {
    FakeWebSocket.onOpen?.(this);
    this.onopen?.({});
  }

  receive(frame: ServerFrame | string): void {
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }

  /** A handshake the server refused, as a browser reports it. */
  refuse(): void {
    this.onerror?.({});
    this.onclose?.({ code: 1006, reason: '' });
  }

  /** The server or the network ended an open connection. */
  drop(code = 1006): void {
    this.onclose?.({ code, reason: '' });
  }

  sentOf<A extends ClientFrame['action']>(action: A): Array<Extract<ClientFrame, { action: A }> & { id: number }> {
    return this.sent.filter((frame) => frame.action === action) as Array<Extract<ClientFrame, { action: A }> & { id: number }>;
  }

  /** Answers the last frame of `action` the client sent. */
  reply(action: ClientFrame['action'], frame: Record<string, unknown>): void {
    const request = this.sentOf(action).at(-1);
    if (!request) throw new Error(`no ${action} frame was sent`);
    this.receive({ ...frame, id: request.id } as ServerFrame);
  }
}
