import { describe, expect, it } from 'vitest';
import { clientOf, LazyClient, loadOnce } from '../../../src/runtime/lazy-client.ts';

describe('LazyClient', () => {
  it('builds nothing until get(), then once for concurrent callers', async () => {
    let builds = 0;
    const lazy = new LazyClient(async () => ({ id: (builds += 1) }));
    expect(builds).toBe(0);
    const [a, b] = await Promise.all([lazy.get(), lazy.get()]);
    expect(a).toBe(b);
    expect(await lazy.get()).toBe(a);
    expect(builds).toBe(1);
  });

  it('does not keep a failed build: the next get() builds again', async () => {
    let attempts = 0;
    const lazy = new LazyClient(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('import failed');
      return 'client';
    });
    await expect(lazy.get()).rejects.toThrow('import failed');
    await expect(lazy.get()).resolves.toBe('client');
    expect(attempts).toBe(2);
  });

  it('clientOf resolves a plain client as is and builds a lazy one', async () => {
    const plain = { send: () => undefined };
    expect(await clientOf(plain)).toBe(plain);
    expect(await clientOf(new LazyClient(async () => plain))).toBe(plain);
  });

  it('loadOnce calls its loader once', async () => {
    let calls = 0;
    const load = loadOnce(async () => (calls += 1));
    await Promise.all([load(), load()]);
    expect(await load()).toBe(1);
  });
});
