import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeDevPorts, startPnpmDev, stopGroup, stopDev, type DevProcess } from './helpers/dev-process.ts';
import { tryConnect } from './helpers/source-system-token.ts';

// Issue 18: what an operator reads. `pnpm dev --verbose` streams the services' output as a
// deployed stage writes it to CloudWatch Logs: the EMF lines CloudWatch turns into metrics, and
// the log lines, which must never carry a credential.
let dev: DevProcess;
let stopped: { code: number | null } | undefined;
const issuedTokens: string[] = [];

interface Emf {
  _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> };
  [key: string]: unknown;
}

/** The services' own output lines (`socket │ …`, `token-api │ …`): not the banner, not `dev │`. */
const serviceLines = () =>
  dev
    .output()
    .split('\n')
    .filter((line) => /^(token-api|socket|demo|events) +│ /.test(line))
    .map((line) => line.slice(line.indexOf('│ ') + 2));

const emfLines = (): Emf[] => serviceLines().flatMap((line) => (line.startsWith('{"_aws"') ? [JSON.parse(line) as Emf] : []));

async function eventually<T>(read: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms; service output:\n${serviceLines().join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function issueToken(roomId: string): Promise<string> {
  const response = await fetch(`${dev.banner.tokenApiUrl}/v1/tokens`, {
    method: 'POST',
    headers: { 'x-api-key': dev.banner.devApiKey, 'content-type': 'application/json' },
    body: JSON.stringify({ roomId, userId: 'ops-user' }),
  });
  expect(response.status).toBe(201);
  const token = ((await response.json()) as { token: string }).token;
  issuedTokens.push(token);
  return token;
}

/** Connects, publishes one message and waits for its ack. */
async function publishOnce(token: string): Promise<void> {
  const socket = new WebSocket(dev.banner.socketUrl, ['roomgate.v1', `roomgate.token.${token}`]);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const acked = new Promise<void>((resolve) =>
    socket.on('message', (data) => {
      if ((JSON.parse(String(data)) as { type?: string }).type === 'ack') resolve();
    }),
  );
  socket.send(JSON.stringify({ action: 'publish', id: 1, data: { text: 'hello' } }));
  await acked;
  socket.close();
}

beforeAll(async () => {
  const free = await freeDevPorts();
  dev = await startPnpmDev(['--verbose', ...free.args], 200_000);
  const token = await issueToken('ops-room');
  await publishOnce(token);
  // A token and an API key in a URL path: serverless-offline prints the path in its route line (verbose).
  await fetch(`${dev.banner.tokenApiUrl}/v1/${token}/${dev.banner.devApiKey}`).then((response) => response.body?.cancel());
  expect(await tryConnect(dev.banner.socketUrl, 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJub3BlIn0.c2lnbmF0dXJl')).toBe('refused');
  // Every EMF line of these three invocations, before Ctrl-C.
  await eventually(() => (emfLines().some((l) => 'ConnectRefused' in l) && emfLines().some((l) => 'Publishes' in l) ? true : undefined), 'EMF lines');
  stopGroup(dev.child, 'SIGINT');
  stopped = await Promise.race([dev.exited, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 60_000))]);
}, 300_000);

afterAll(async () => {
  await stopDev(dev, { signal: 'SIGKILL', graceMs: 10_000 });
});

describe('pnpm dev --verbose: metrics and logs as CloudWatch reads them', () => {
  it('the socket wrote EMF metrics for the connect, the publish and the refusal, in the Roomgate namespace', () => {
    const lines = emfLines();
    const find = (name: string) => lines.find((l) => name in l);
    for (const line of lines) expect(line._aws.CloudWatchMetrics[0]!.Namespace).toBe('Roomgate');
    expect(find('ConnectAccepted')).toMatchObject({ service: 'roomgate-socket', stage: 'local' });
    expect(find('Publishes')).toMatchObject({ service: 'roomgate-socket', origin: 'client', Publishes: 1 });
    expect(find('Deliveries')).toMatchObject({ Deliveries: 1, DeliveryFailed: 0 });
    expect(find('PublishLatency')).toBeDefined();
    const refused = find('ConnectRefused')!;
    expect(refused).toMatchObject({ code: 'ERR_TOKEN_INVALID', ConnectRefused: 1 });
    expect(refused._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([
      ['service', 'stage'],
      ['service', 'stage', 'code'],
    ]);
    expect(find('TokensIssued')).toMatchObject({ service: 'roomgate-token-api', callerKind: 'api-key' });
  });

  it('every JSON log line has one shape, with the request ids', () => {
    const logs = serviceLines()
      .filter((line) => line.startsWith('{"level"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logs.length).toBeGreaterThan(0);
    for (const line of logs) {
      expect(Object.keys(line)).toEqual(expect.arrayContaining(['level', 'message', 'timestamp', 'service']));
      expect(line).not.toHaveProperty('msg');
    }
    const connected = logs.find((l) => l.message === 'connected')!;
    expect(connected).toMatchObject({ level: 'INFO', service: 'roomgate-socket', connectionId: expect.any(String), function_request_id: expect.any(String) });
    const issued = logs.find((l) => l.message === 'token issued')!;
    // Locally too each request has its own id, not serverless-offline's placeholder.
    expect(JSON.stringify(logs)).not.toContain('offlineContext_resourceId');
    expect(issued).toMatchObject({ service: 'roomgate-token-api', requestId: expect.any(String), reqId: expect.any(String) });
  });

  it('no log line carries a token, an API key, a private key or a presigned URL (fingerprints only)', () => {
    const text = serviceLines().join('\n');
    expect(issuedTokens.length).toBeGreaterThan(0);
    for (const token of issuedTokens) expect(text).not.toContain(token.split('.')[2]);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+/);
    expect(text).not.toContain(dev.banner.devApiKey);
    expect(text).not.toMatch(/rgk_[A-Za-z0-9_-]{16,}/);
    expect(text).not.toMatch(/PRIVATE KEY/);
    expect(text).not.toMatch(/X-Amz-Signature=[0-9a-f]/i);
    expect(text).toMatch(/sha256:[0-9a-f]{12}/);
  });

  it('Ctrl-C prints one line adding up the counters', () => {
    expect(stopped?.code).toBe(0);
    const summary = /^dev +│ (metrics: .*)$/m.exec(dev.output())?.[1];
    expect(summary).toMatch(/ConnectAccepted=[1-9]/);
    expect(summary).toMatch(/ConnectRefused=1\b/);
    expect(summary).toMatch(/Publishes=1\b/);
    expect(summary).toMatch(/TokensIssued=[1-9]/);
  });
});
