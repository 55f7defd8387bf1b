import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';
import { localClientConfig } from '@roomgate/local-aws';
import { createManagementApi } from '@roomgate/shared/delivery';
import { createManagementApiClient } from '@roomgate/shared/runtime';
import { interleave } from '../lib/measure.ts';
import { registerCleanup } from '../lib/processes.ts';
import { createManagementApiSimulator } from '../simulator/management-api-simulator.ts';

/** CPU microseconds of this process per PostToConnection (median slice). */
export interface CallCost {
  /** the production ManagementApi over the real SDK client */
  sdk: number;
  /** the same POST with node:http on a kept-alive socket: what any client pays */
  http: number;
  /** the production ManagementApi over the simulator (no latency, no quota) */
  simulator: number;
}

// Answers every request 200 with an empty body at once, as PostToConnection does; a process of its own, so its CPU is not counted.
const SERVER = `
const server = require('node:http').createServer((req, res) => { req.resume(); req.on('end', () => res.end()); });
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.stdin.resume(); process.stdin.on('end', () => process.exit(0));
`;
const IN_FLIGHT = 20;

/**
 * What the simulator takes out of the measurement: the CPU the production ManagementApi spends
 * per post through the real SDK client (serialisation, SigV4 signing, middleware, HTTP/1.1 on a
 * kept-alive socket), against a loopback server in another process that answers 200 at once.
 * Beside it, in alternating slices: the bare HTTP POST, and the simulator. Each operation is
 * IN_FLIGHT posts at once.
 */
export async function measureCallCost(frame: Uint8Array): Promise<CallCost> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['pipe', 'pipe', 'inherit'] });
  const stop = () => {
    child.stdin!.end();
    return Promise.resolve();
  };
  const unregister = registerCleanup(stop);
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  try {
    const port = Number(await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve)));
    const client = await createManagementApiClient(localClientConfig(`http://127.0.0.1:${port}`)).get();
    const sdk = createManagementApi({ client });
    const simulator = createManagementApiSimulator({
      latencyMs: { min: 0, max: 0 },
      quota: { ratePerSecond: 1e12, burst: 1e12 },
      messageIdOf: () => 'cost',
      sleep: () => Promise.resolve(),
    }).api;
    const bare = (connectionId: string) =>
      new Promise<void>((resolve, reject) => {
        const req = request(
          {
            agent,
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: `/@connections/${encodeURIComponent(connectionId)}`,
            headers: { 'content-length': frame.byteLength },
          },
          (res) => res.resume().once('end', resolve),
        );
        req.once('error', reject);
        req.end(frame);
      });
    let n = 0;
    const batch = (post: (connectionId: string) => Promise<void>) => () =>
      Promise.all(Array.from({ length: IN_FLIGHT }, () => post(`L0SM9cOFvHc${(n += 1)}=`)));
    const rates = await interleave(
      { sdk: batch((id) => sdk.post(id, frame)), http: batch(bare), simulator: batch((id) => simulator.post(id, frame)) },
      { rounds: 5, msPerSlice: 400, warmupMs: 1_000 },
    );
    client.destroy();
    return { sdk: rates.sdk.cpuMicrosPerOp / IN_FLIGHT, http: rates.http.cpuMicrosPerOp / IN_FLIGHT, simulator: rates.simulator.cpuMicrosPerOp / IN_FLIGHT };
  } finally {
    agent.destroy();
    unregister();
    await stop();
  }
}
