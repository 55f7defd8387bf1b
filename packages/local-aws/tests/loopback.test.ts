import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { accepts, freePorts } from '../src/loopback.ts';

describe('loopback ports', () => {
  it('hands out distinct ports nobody listens on, and accepts() tells listening from free', async () => {
    const ports = await freePorts(5);
    expect(new Set(ports).size).toBe(5);
    for (const port of ports) expect(await accepts(port)).toBe(false);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(ports[0], '127.0.0.1', resolve));
    expect(await accepts(ports[0]!)).toBe(true);
    await new Promise((resolve) => server.close(resolve));
  });
});
