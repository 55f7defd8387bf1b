import { configOrFail, withInvocation } from '@roomgate/shared/runtime';
import { createLambdaHandler, callerAuthOptions } from '../http/lambda-handler.ts';
import { httpRequestFields } from '../http/request-fields.ts';
import { buildRoomsApp } from './app.ts';
import { parseRoomsConfig } from './config.ts';
import { createRoomsRuntime } from './runtime.ts';

// The rooms function's entry. Runs once per container, during Lambda init (top-level await).
// One line naming every bad variable, then a failed init: a misconfigured stage must not serve.
const config = configOrFail(() => parseRoomsConfig(process.env), 'rooms', { service: 'roomgate-token-api', function: 'rooms' });
const runtime = createRoomsRuntime(config);
const app = buildRoomsApp({
  config,
  ...runtime,
  // One kind of caller per stage, whatever route delivered the request (parseConfig refuses
  // CALLER_AUTH=iam under serverless-offline, which has no IAM).
  ...callerAuthOptions(config.callerAuth, runtime.apiKeys),
});

// Every line of an invocation carries its Lambda and HTTP request ids; metrics flush after each.
export const handler = withInvocation(runtime, httpRequestFields, await createLambdaHandler(app));
