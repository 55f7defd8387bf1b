import { configOrFail, withInvocation } from '@roomgate/shared/runtime';
import { buildApp } from './app.ts';
import { parseConfig } from './config.ts';
import { createLambdaHandler, callerAuthOptions } from '../http/lambda-handler.ts';
import { httpRequestFields } from '../http/request-fields.ts';
import { createRuntime } from './runtime.ts';

// Everything below runs once per container, during Lambda init (top-level await).
// One line naming every bad variable, then a failed init: a misconfigured stage must not serve.
const config = configOrFail(() => parseConfig(process.env), 'token-api', { service: 'roomgate-token-api' });
const runtime = createRuntime(config);
const app = buildApp({
  config,
  ...runtime,
  // One kind of caller per stage, whatever route delivered the request (parseConfig refuses
  // CALLER_AUTH=iam under serverless-offline, which has no IAM).
  ...callerAuthOptions(config.callerAuth, runtime.apiKeys),
});

// Every line of an invocation carries its Lambda and HTTP request ids; metrics flush after each.
export const handler = withInvocation(runtime, httpRequestFields, await createLambdaHandler(app));
