import { EnvReader } from '@roomgate/shared/runtime';

export interface DemoConfig {
  port: number;
  host: string;
  /** Base URL of the token API, e.g. `http://127.0.0.1:4100`. */
  tokenApiUrl: string;
  /** The dev API key the demo backend presents to the token API; never sent to the browser. */
  apiKey: string;
}

export const DEFAULT_DEMO_PORT = 4300;
export const DEFAULT_DEMO_HOST = '127.0.0.1';

/** Reads DEMO_PORT, DEMO_HOST, TOKEN_API_URL and DEMO_API_KEY; throws ConfigError naming every bad one. */
export function parseDemoConfig(env: Record<string, string | undefined>): DemoConfig {
  const read = new EnvReader(env);
  const config: DemoConfig = {
    port: read.int('DEMO_PORT', { default: DEFAULT_DEMO_PORT, min: 0, max: 65_535 }),
    host: read.string('DEMO_HOST', { default: DEFAULT_DEMO_HOST }),
    tokenApiUrl: read.url('TOKEN_API_URL', { protocols: ['http:', 'https:'] }),
    apiKey: read.string('DEMO_API_KEY'),
  };
  read.done();
  return config;
}
