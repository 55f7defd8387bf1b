import { describe, expect, it } from 'vitest';
import { parseDemoConfig } from '../../src/config.ts';

describe('parseDemoConfig', () => {
  it('applies defaults for port and host', () => {
    expect(parseDemoConfig({ TOKEN_API_URL: 'http://127.0.0.1:4100', DEMO_API_KEY: 'k' })).toEqual({
      port: 4300,
      host: '127.0.0.1',
      tokenApiUrl: 'http://127.0.0.1:4100',
      apiKey: 'k',
    });
  });

  it('reads every variable', () => {
    expect(parseDemoConfig({ DEMO_PORT: '0', DEMO_HOST: '0.0.0.0', TOKEN_API_URL: 'https://tokens.example', DEMO_API_KEY: 'k' })).toMatchObject({
      port: 0,
      host: '0.0.0.0',
    });
  });

  it('names every bad or missing variable at once', () => {
    expect(() => parseDemoConfig({ DEMO_PORT: 'eighty', TOKEN_API_URL: 'ftp://x' })).toThrow(
      expect.objectContaining({
        code: 'ERR_CONFIG_INVALID',
        problems: ['DEMO_PORT must be an integer, got "eighty"', 'TOKEN_API_URL must use http: or https:', 'DEMO_API_KEY is required'],
      }),
    );
  });
});
