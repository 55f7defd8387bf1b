import { describeError } from '@roomgate/shared/runtime';
import { buildApp } from './app.ts';
import { parseConfig, type TokenApiConfig } from './config.ts';
import { createLambdaHandler, callerAuthOptions } from '../http/lambda-handler.ts';
import { createRuntime } from './runtime.ts';

// Everything below runs once per container, during Lambda init (top-level await).
const config = loadConfig();
const runtime = createRuntime(config);
const app = buildApp({
  config,
  ...runtime,
  // One kind of caller per stage, whatever route delivered the request (parseConfig refuses
  // CALLER_AUTH=iam under serverless-offline, which has no IAM).
  ...callerAuthOptions(config.callerAuth, runtime.apiKeys),
});

export const handler = await createLambdaHandler(app);

function loadConfig(): TokenApiConfig {
  try {
    return parseConfig(process.env);
  } catch (error) {
    // One JSON line naming every bad variable, then fail init: a misconfigured stage must not serve.
    console.error(JSON.stringify({ level: 'fatal', msg: 'token-api configuration is invalid', error: describeError(error as Error) }));
    throw error;
  }
}
