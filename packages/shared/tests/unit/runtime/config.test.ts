import { describe, expect, it, vi } from 'vitest';
import { configOrFail, EnvReader } from '../../../src/runtime/config.ts';
import { ConfigError } from '../../../src/errors.ts';

describe('EnvReader', () => {
  it('returns typed values and defaults', () => {
    const env = new EnvReader({ A: 'x', N: '42', B: 'false', U: 'http://localhost:1' });
    expect(env.string('A')).toBe('x');
    expect(env.string('MISSING', { default: 'd' })).toBe('d');
    expect(env.int('N', { min: 1 })).toBe(42);
    expect(env.bool('B', { default: true })).toBe(false);
    expect(env.url('U')).toBe('http://localhost:1');
    expect(env.oneOf('X', ['a', 'b'] as const, { default: 'b' })).toBe('b');
    expect(() => env.done()).not.toThrow();
  });

  it('names every bad or missing variable in one error', () => {
    const env = new EnvReader({ N: 'ten', M: '0', B: 'maybe', U: 'not a url', O: 'c', J: '{' });
    env.string('REQUIRED');
    env.int('N');
    env.int('M', { min: 1 });
    env.bool('B', { default: true });
    env.url('U');
    env.oneOf('O', ['a', 'b'] as const);
    env.json('J', () => undefined);
    let error: ConfigError | undefined;
    try {
      env.done();
    } catch (caught) {
      error = caught as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.code).toBe('ERR_CONFIG_INVALID');
    expect(error!.problems.map((p) => p.split(' ')[0]!.replace(':', ''))).toEqual(['REQUIRED', 'N', 'M', 'B', 'U', 'O', 'J']);
  });

  it('treats blank values as missing', () => {
    const env = new EnvReader({ A: '   ' });
    expect(env.string('A', { default: 'd' })).toBe('d');
  });
});

describe('configOrFail (a Lambda entry reading its configuration)', () => {
  it('returns what parse returns and writes nothing', () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(configOrFail(() => ({ stage: 'prod' }), 'socket', { service: 'roomgate-socket' })).toEqual({ stage: 'prod' });
      expect(write).not.toHaveBeenCalled();
    } finally {
      write.mockRestore();
    }
  });

  it("logs one fatal line naming the problem in the function's shape, then rethrows the same error", () => {
    const lines: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    const problem = new ConfigError(['TABLE_NAME is required']);
    try {
      expect(() =>
        configOrFail(
          () => {
            throw problem;
          },
          'socket',
          { service: 'roomgate-socket' },
        ),
      ).toThrow(problem);
    } finally {
      write.mockRestore();
    }
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'CRITICAL', message: 'socket configuration is invalid', service: 'roomgate-socket' });
    expect(lines[0]).toContain('TABLE_NAME is required');
  });
});
