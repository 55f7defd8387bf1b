import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does with one request: forward it, answer with an error, or never answer. */
export type Fault = 'pass' | 'throttle' | 'internal' | 'unavailable' | 'hang';

export interface FaultProxy {
  endpoint: string;
  /** Every request seen, by DynamoDB operation (`PutItem`, `Query`…), including faulted ones. */
  calls: string[];
  /** Decides per request; the default forwards everything. */
  rule: (operation: string, attempt: number) => Fault;
  /** Faults `operation` for its next `times` requests, then forwards again. */
  failNext(operation: string, times: number, fault: Exclude<Fault, 'pass'>): void;
  /**
   * Milliseconds to hold the answer of a forwarded request after DynamoDB has carried it out
   * (default 0): the write is done, its caller does not know yet — a slow tail of `$connect`.
   */
  delayAnswer: (operation: string) => number;
  count(operation: string): number;
  close(): Promise<void>;
}

const ERRORS: Record<Exclude<Fault, 'pass' | 'hang'>, { status: number; type: string; message: string }> = {
  throttle: {
    status: 400,
    type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
    message: 'The level of configured provisioned throughput for the table was exceeded.',
  },
  internal: { status: 500, type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'Internal server error' },
  unavailable: { status: 503, type: 'com.amazonaws.dynamodb.v20120810#ServiceUnavailable', message: 'Service unavailable' },
};

/**
 * A loopback proxy in front of dynalite that answers chosen DynamoDB calls the way DynamoDB does
 * when it throttles or fails (status, `__type`, message), so the real SDK — its deserialiser and
 * its retry strategy, which aws-sdk-client-mock bypasses — meets the fault.
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const calls: string[] = [];
  const hung = new Set<ServerResponse>();
  const proxy: FaultProxy = {
    endpoint: '',
    calls,
    rule: () => 'pass',
    delayAnswer: () => 0,
    failNext(operation, times, fault) {
      let left = times;
      const previous = proxy.rule;
      proxy.rule = (op, attempt) => {
        if (op === operation && left > 0) {
          left -= 1;
          return fault;
        }
        return previous(op, attempt);
      };
    },
    count: (operation) => calls.filter((c) => c === operation).length,
    close: () =>
      new Promise((resolve) => {
        for (const res of hung) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };

  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const operation =
      String(req.headers['x-amz-target'] ?? '')
        .split('.')
        .pop() ?? '';
    calls.push(operation);
    const fault = proxy.rule(operation, calls.filter((c) => c === operation).length);
    if (fault === 'hang') {
      hung.add(res);
      return;
    }
    if (fault !== 'pass') {
      const error = ERRORS[fault];
      res.writeHead(error.status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'fault-proxy' });
      res.end(JSON.stringify({ __type: error.type, message: error.message }));
      return;
    }
    const forward = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (upstreamRes) => {
      const answer = () => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      };
      const delay = proxy.delayAnswer(operation);
      if (delay > 0) setTimeout(answer, delay);
      else answer();
    });
    forward.on('error', () => res.writeHead(502).end());
    forward.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
