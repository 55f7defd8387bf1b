import { rmSync } from 'node:fs';
import { startDemoServer } from '@roomgate/demo';
import { startLocalAws } from '@roomgate/local-aws';
import { formatEventLine } from './event-line.ts';
import { createJsonLogger } from '@roomgate/shared/runtime';
import { DevstackError } from '../errors.ts';
import type { KeySummary } from '../key-admin.ts';
import { bootstrapStage } from './bootstrap.ts';
import { Cleanups } from './cleanups.ts';
import type { DevOptions } from './dev-options.ts';
import { startOfflineService, type RunningOffline } from './offline-service.ts';
import { historyTableNameOf, socketSpec, socketUrlOf, tokenApiSpec, tokenApiUrlOf, type OfflineSpec, type StackEndpoints } from './offline-specs.ts';
import { assertPortsFree, labelOf } from './ports.ts';
import { httpStatus, tcpAccepts, webSocketHandshake } from './readiness.ts';

export const DEV_HOST = '127.0.0.1';

export interface DevStackIo {
  /** a human progress line ("token API: ready in 4.1 s") */
  progress(line: string): void;
  /** one log line of a part; the caller decides whether to show it */
  log(part: string, line: string): void;
  /** one lifecycle event the local EventBridge accepted, already formatted (formatEventLine) */
  event?(line: string): void;
}

export interface DevStackInfo {
  stage: string;
  tableName: string;
  roomsTableName: string;
  dataDir: string | undefined;
  urls: { tokenApi: string; socket: string; demo: string; dynamo: string; secrets: string };
  devApiKey: string;
  devApiKeyFile?: string;
  signingKey: KeySummary;
  /** `--legacy-tokens`: the socket service admits source-system tokens (docs/migrating.md). */
  legacyTokens?: boolean;
}

/** The parts' log prefixes, for aligning them. */
export const PART_NAMES = ['token-api', 'socket', 'demo'] as const;

/**
 * The whole local system in start order: ports checked, local AWS, table and keys, both
 * serverless-offline services, the demo page. `start` resolves only once every part has
 * answered a real request; `stop` (also in the middle of `start`) stops whatever runs.
 */
export class DevStack {
  private readonly cleanups: Cleanups;
  private readonly offline: RunningOffline[] = [];
  private partExitHandler: ((error: DevstackError) => void) | undefined;

  constructor(
    private readonly options: DevOptions & { repoRoot: string },
    private readonly io: DevStackIo,
  ) {
    this.cleanups = new Cleanups((name, error) => io.progress(`${name}: stop failed: ${(error as Error)?.message ?? error}`));
  }

  /** Called once if a service dies after `start` resolved. */
  onPartExit(handler: (error: DevstackError) => void): void {
    this.partExitHandler = handler;
  }

  async start(): Promise<DevStackInfo> {
    const { ports, stage, dataDir, repoRoot } = this.options;
    const host = DEV_HOST;
    await assertPortsFree(ports, host, this.options.command);
    this.checkNotStopped();

    this.io.progress(
      `local AWS: DynamoDB on :${ports.dynamo}, Secrets Manager on :${ports.secrets}, EventBridge on :${ports.events} (${dataDir ? `persisted in ${dataDir}` : 'in memory'})`,
    );
    const aws = await startLocalAws({
      dynamoPort: ports.dynamo,
      secretsPort: ports.secrets,
      eventsPort: ports.events,
      onEvent: (event) => this.io.event?.(formatEventLine(event)),
      host,
      ...(dataDir ? { persistDir: dataDir } : {}),
    });
    this.cleanups.add('local AWS', () => aws.close());
    this.checkNotStopped();

    const tableName = `roomgate-${stage}-connections`;
    const roomsTableName = `roomgate-${stage}-rooms`;
    const boot = await bootstrapStage({
      repoRoot,
      stage,
      tableName,
      roomsTableName,
      dynamoEndpoint: aws.dynamoEndpoint,
      secretsEndpoint: aws.secretsEndpoint,
      dataDir,
    });
    this.io.progress(
      `stage ${stage}: tables ${tableName}, ${roomsTableName} and ${historyTableNameOf(stage)}, signing key ${boot.signingKey.kid} (${boot.signingKeyCreated ? 'created' : 'kept'}), dev API key ${boot.devApiKeyFile ? `from ${boot.devApiKeyFile}` : 'created'}`,
    );
    this.checkNotStopped();

    const endpoints: StackEndpoints = {
      stage,
      host,
      ports,
      tableName,
      roomsTableName,
      dynamoEndpoint: aws.dynamoEndpoint,
      secretsEndpoint: aws.secretsEndpoint,
      eventsEndpoint: aws.eventsEndpoint,
      legacyTokens: this.options.legacyTokens,
    };
    const tokenApiUrl = tokenApiUrlOf(endpoints);
    const socketUrl = socketUrlOf(endpoints);
    const specs = [tokenApiSpec(repoRoot, endpoints), socketSpec(repoRoot, endpoints)] as const;
    this.io.progress('token API and socket service: starting serverless-offline (about 10 s; the first run builds with esbuild)');
    await Promise.all([
      this.startOffline(specs[0], ports.tokenApi, async (output) => output.includes('Server ready') && (await httpStatus(`${tokenApiUrl}/healthz`)) === 200),
      this.startOffline(specs[1], ports.socket, async (output) => output.includes('Offline [websocket] listening') && (await tcpAccepts(host, ports.socket))),
    ]);

    const token = await this.checkTokenApi(tokenApiUrl, boot.devApiKey);
    const handshake = await webSocketHandshake(socketUrl, token);
    if (!handshake.ok) throw this.partError('socket service', ports.socket, `refused a fresh token from the token API: ${handshake.reason}`, this.offline[1]);
    this.io.progress('token API → socket service: a fresh token connects');
    this.checkNotStopped();

    const demo = await this.startDemo(tokenApiUrl, boot.devApiKey);
    this.watchForExits();
    return {
      stage,
      tableName,
      roomsTableName,
      dataDir,
      urls: { tokenApi: tokenApiUrl, socket: socketUrl, demo, dynamo: aws.dynamoEndpoint, secrets: aws.secretsEndpoint },
      devApiKey: boot.devApiKey,
      ...(boot.devApiKeyFile !== undefined ? { devApiKeyFile: boot.devApiKeyFile } : {}),
      signingKey: boot.signingKey,
      ...(this.options.legacyTokens && { legacyTokens: true }),
    };
  }

  /** false until the first part started (a failed port check starts nothing) */
  get startedAnything(): boolean {
    return this.cleanups.used;
  }

  /** Stops every part started so far, last started first. Safe to call more than once. */
  stop(): Promise<void> {
    this.partExitHandler = undefined;
    return this.cleanups.runAll();
  }

  /** Second Ctrl-C: kill the service process groups now; local AWS and the demo die with this process. */
  forceStop(): void {
    for (const service of this.offline) service.kill();
  }

  private async startOffline(spec: OfflineSpec, port: number, ready: (output: string) => Promise<boolean>): Promise<void> {
    this.checkNotStopped();
    const started = Date.now();
    const service = startOfflineService(spec, {
      onLine: (line) => this.io.log(spec.name, line),
      onSlow: (seconds) => this.io.progress(`${spec.label}: still starting (${seconds} s)`),
    });
    this.offline.push(service);
    this.cleanups.add(spec.label, async () => {
      await service.stop();
      rmSync(spec.buildDir, { recursive: true, force: true });
    });
    const outcome = await service.waitReady(ready, { timeoutMs: 120_000 });
    if (outcome !== 'ready') {
      const why = outcome === 'timeout' ? 'did not answer within 120 s' : `exited (${describeExit(service)}) before it was ready`;
      throw this.partError(spec.label, port, why, service);
    }
    this.io.progress(`${spec.label}: ready on :${port} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  private async checkTokenApi(tokenApiUrl: string, apiKey: string): Promise<string> {
    let status = 0;
    let body: string;
    try {
      const response = await fetch(`${tokenApiUrl}/v1/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
        body: JSON.stringify({ roomId: 'devstack-check', userId: 'devstack', ttlSeconds: 60 }),
        signal: AbortSignal.timeout(30_000),
      });
      status = response.status;
      body = await response.text();
      if (status === 201) return (JSON.parse(body) as { token: string }).token;
    } catch (error) {
      body = (error as Error).message;
    }
    throw this.partError(
      'token API',
      this.options.ports.tokenApi,
      `answered ${status || 'nothing'} to the dev API key instead of 201: ${body.slice(0, 300)}`,
      this.offline[0],
    );
  }

  private async startDemo(tokenApiUrl: string, apiKey: string): Promise<string> {
    const port = this.options.ports.demo;
    const logger = createJsonLogger({ base: { service: 'demo' }, write: (line) => this.io.log('demo', line) });
    let url: string;
    try {
      const demo = await startDemoServer({ tokenApiUrl, apiKey, port, host: DEV_HOST, logger });
      this.cleanups.add(labelOf('demo'), () => demo.close());
      url = demo.url;
    } catch (error) {
      throw this.partError(labelOf('demo'), port, `did not start: ${(error as Error).message}`);
    }
    const status = await httpStatus(url);
    if (status !== 200) throw this.partError(labelOf('demo'), port, `answered ${status || 'nothing'} for ${url}`);
    this.io.progress(`demo page: ready on :${port}`);
    return url;
  }

  private watchForExits(): void {
    const ports = [this.options.ports.tokenApi, this.options.ports.socket];
    this.offline.forEach((service, i) => {
      void service.exited.then(() => {
        const handler = this.partExitHandler;
        this.partExitHandler = undefined;
        handler?.(this.partError(service.label, ports[i]!, `stopped unexpectedly (${describeExit(service)})`, service));
      });
    });
  }

  private partError(label: string, port: number, why: string, service?: RunningOffline): DevstackError {
    const tail = service?.tail(25) ?? [];
    const output = tail.length > 0 ? `\nlast output of the ${label}:\n${tail.map((l) => `  ${l}`).join('\n')}` : '';
    return new DevstackError('ERR_PART_FAILED', `the ${label} (port ${port}) ${why}${output}`);
  }

  private checkNotStopped(): void {
    if (this.cleanups.closed) throw new DevstackError('ERR_PART_FAILED', 'stopped while starting');
  }
}

function describeExit(service: RunningOffline): string {
  const exit = service.exit();
  if (!exit) return 'still running';
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}
