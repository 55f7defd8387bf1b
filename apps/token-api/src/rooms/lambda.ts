import { describeError } from '@roomgate/shared/runtime';
import { createLambdaHandler, callerAuthOptions } from '../http/lambda-handler.ts';
import { buildRoomsApp } from './app.ts';
import { parseRoomsConfig, type RoomsApiConfig } from './config.ts';
import { createRoomsRuntime } from './runtime.ts';

// The rooms function's entry. Runs once per container, during Lambda init (top-level await).
const config = loadConfig();
const runtime = createRoomsRuntime(config);
const app = buildRoomsApp({
  config,
  ...runtime,
  // One kind of caller per stage, whatever route delivered the request (parseConfig refuses
  // CALLER_AUTH=iam under serverless-offline, which has no IAM).
  ...callerAuthOptions(config.callerAuth, runtime.apiKeys),
});

export const handler = await createLambdaHandler(app);

function loadConfig(): RoomsApiConfig {
  try {
    return parseRoomsConfig(process.env);
  } catch (error) {
    // One JSON line naming every bad variable, then fail init: a misconfigured stage must not serve.
    console.error(JSON.stringify({ level: 'fatal', msg: 'rooms configuration is invalid', error: describeError(error as Error) }));
    throw error;
  }
}
