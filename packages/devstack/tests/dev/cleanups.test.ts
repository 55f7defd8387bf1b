import { describe, expect, it } from 'vitest';
import { Cleanups } from '../../src/dev/cleanups.ts';

describe('Cleanups', () => {
  it('runs last-added first, reports failures and keeps going, and runs once', async () => {
    const order: string[] = [];
    const errors: string[] = [];
    const cleanups = new Cleanups((name) => errors.push(name));
    cleanups.add('aws', async () => void order.push('aws'));
    cleanups.add('broken', async () => {
      throw new Error('boom');
    });
    cleanups.add('demo', async () => void order.push('demo'));
    await Promise.all([cleanups.runAll(), cleanups.runAll()]);
    expect(order).toEqual(['demo', 'aws']);
    expect(errors).toEqual(['broken']);
  });

  it('stops a part that finished starting after the shutdown began', async () => {
    const cleanups = new Cleanups(() => {});
    let stopped = false;
    await cleanups.runAll();
    expect(cleanups.closed).toBe(true);
    cleanups.add('late', async () => {
      stopped = true;
    });
    await cleanups.runAll();
    expect(stopped).toBe(true);
  });
});
