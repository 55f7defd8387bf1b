import { createServer } from 'node:net';
import { DevstackError } from '../errors.ts';

export type PortName = 'tokenApi' | 'tokenApiLambda' | 'socket' | 'socketHttp' | 'socketLambda' | 'demo' | 'dynamo' | 'secrets' | 'events';
export type Ports = Record<PortName, number>;

export interface PortPart {
  name: PortName;
  /** how the part is named in messages */
  label: string;
  /** distance from the port base */
  offset: number;
}

export const DEFAULT_PORT_BASE = 4100;

/**
 * One block of a hundred per service, so a glance at a port says what it is and the defaults
 * stay clear of the usual suspects (3000, 5173, 8000, 8080) and of each other.
 */
export const PORT_PARTS: readonly PortPart[] = [
  { name: 'tokenApi', label: 'token API (HTTP)', offset: 0 },
  { name: 'tokenApiLambda', label: 'token API (offline lambda endpoint)', offset: 1 },
  { name: 'socket', label: 'socket service (WebSocket)', offset: 100 },
  { name: 'socketHttp', label: 'socket service (offline HTTP)', offset: 101 },
  { name: 'socketLambda', label: 'socket service (offline lambda endpoint)', offset: 102 },
  { name: 'demo', label: 'demo page', offset: 200 },
  { name: 'dynamo', label: 'DynamoDB (dynalite)', offset: 300 },
  { name: 'secrets', label: 'Secrets Manager (local)', offset: 400 },
  { name: 'events', label: 'EventBridge (local)', offset: 401 },
];

export function portLayout(base: number): { ports: Ports; max: number } {
  const ports = Object.fromEntries(PORT_PARTS.map((p) => [p.name, base + p.offset])) as Ports;
  return { ports, max: Math.max(...Object.values(ports)) };
}

export const labelOf = (name: PortName): string => PORT_PARTS.find((p) => p.name === name)!.label;

/**
 * Checked before anything starts: serverless-offline reports a taken port deep in a stack
 * trace seconds later, and by then half the stack would be running. Throws DevstackError
 * ERR_PORT_IN_USE naming the port and `command` (the one the user ran: `pnpm dev`, `pnpm smoke --local`)
 * with the --port-base that moves the stack.
 */
export async function assertPortsFree(ports: Ports, host: string, command = 'pnpm dev'): Promise<void> {
  for (const part of PORT_PARTS) {
    const port = ports[part.name];
    const problem = await bindProblem(port, host);
    if (problem === undefined) continue;
    const reason = problem === 'EADDRINUSE' ? 'is already in use' : `cannot be opened (${problem})`;
    throw new DevstackError(
      'ERR_PORT_IN_USE',
      `cannot start the ${part.label}: port ${port} on ${host} ${reason}. Stop whatever holds it, or move the stack: ${command} --port-base <n>`,
    );
  }
}

function bindProblem(port: number, host: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}
