export { startDemoServer, type DemoServer, type DemoServerOptions } from './server.ts';
export { parseDemoConfig, DEFAULT_DEMO_HOST, DEFAULT_DEMO_PORT, type DemoConfig } from './config.ts';
export { DemoError, type DemoErrorCode } from './errors.ts';
export { bundlePage, writePage, type PageAssets } from './page-bundle.ts';
