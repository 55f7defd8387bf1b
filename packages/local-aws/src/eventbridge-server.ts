import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { AwsServiceError } from './aws-service-error.ts';
import { parseJson, readBody, send } from './aws-json-http.ts';
import { closeServer, listen } from './listen.ts';

/** One event the endpoint accepted, as a rule target would see its fields. */
export interface ReceivedEvent {
  id: string;
  source: string;
  detailType: string;
  eventBusName: string;
  detail: Record<string, unknown>;
  /** ISO 8601, when the endpoint accepted it. */
  time: string;
}

export interface EventBridgeOptions {
  /** 0 (the default) picks a free port */
  port?: number;
  host?: string;
  /** Called for each accepted event, in order (`pnpm dev --events` prints them). */
  onEvent?: (event: ReceivedEvent) => void;
}

export interface RunningEventBridge {
  endpoint: string;
  port: number;
  /** Every accepted event, oldest first (tests read it). */
  events: ReceivedEvent[];
  close(): Promise<void>;
}

// PutEvents limits (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html):
// 1-10 entries, at most 256 KB per request.
const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 256 * 1024;

/**
 * A loopback EventBridge speaking awsJson1_1 (`AWSEvents.PutEvents` only), so the real
 * `@aws-sdk/client-eventbridge` talks to it through its `endpoint` setting. Any bus name is
 * accepted. An entry without `Source`, `DetailType` or a JSON-object `Detail` is refused the way
 * EventBridge refuses it: in the answer's `Entries` with an `ErrorCode`, counted in
 * `FailedEntryCount`, the other entries accepted.
 */
export async function startEventBridge(options: EventBridgeOptions = {}): Promise<RunningEventBridge> {
  const events: ReceivedEvent[] = [];
  const server = createServer((req, res) => {
    handle(req, res, events, options.onEvent).catch(() => {
      if (!res.headersSent) send(res, 500, { __type: 'InternalException', message: 'internal error' }, 'InternalException');
    });
  });
  const { endpoint, port } = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  return { endpoint, port, events, close: () => closeServer(server) };
}

async function handle(req: IncomingMessage, res: ServerResponse, events: ReceivedEvent[], onEvent: EventBridgeOptions['onEvent']): Promise<void> {
  try {
    if (req.method !== 'POST') {
      req.resume();
      throw new AwsServiceError('UnknownOperationException', 'Only POST is supported.', 405);
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    const body = parseJson(await readBody(req, MAX_REQUEST_BYTES));
    if (target !== 'AWSEvents.PutEvents') throw new AwsServiceError('UnknownOperationException', `Unknown operation: ${target || '(no x-amz-target)'}`);
    const entries = body.Entries;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_ENTRIES) {
      throw new AwsServiceError('ValidationException', `Entries must hold 1 to ${MAX_ENTRIES} entries.`);
    }
    const results = entries.map((entry: unknown) => {
      const accepted = accept(entry);
      if ('ErrorCode' in accepted) return accepted;
      events.push(accepted);
      onEvent?.(accepted);
      return { EventId: accepted.id };
    });
    send(res, 200, { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results });
  } catch (error) {
    if (!(error instanceof AwsServiceError)) throw error;
    send(res, error.status, { __type: error.type, message: error.message }, error.type);
  }
}

function accept(raw: unknown): ReceivedEvent | { ErrorCode: string; ErrorMessage: string } {
  const entry = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const text = (name: string) => (typeof entry[name] === 'string' && entry[name] !== '' ? (entry[name] as string) : undefined);
  const source = text('Source');
  const detailType = text('DetailType');
  const detailText = text('Detail');
  if (source === undefined) return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Source is not valid.' };
  if (detailType === undefined) return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter DetailType is not valid.' };
  let detail: unknown;
  try {
    detail = detailText === undefined ? undefined : JSON.parse(detailText);
  } catch {
    detail = undefined;
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  }
  return {
    id: randomUUID(),
    source,
    detailType,
    eventBusName: text('EventBusName') ?? 'default',
    detail: detail as Record<string, unknown>,
    time: new Date().toISOString(),
  };
}
