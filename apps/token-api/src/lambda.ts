import { describeError } from '@roomgate/shared/logger';
import { buildApp } from './app.ts';
import { parseConfig, type TokenApiConfig } from './config.ts';
import { createLambdaHandler, iamIdentityOfLambdaRequest } from './lambda-handler.ts';
import { createRuntime } from './runtime.ts';

// Everything below runs once per container, during Lambda init (top-level await).
const config = loadConfig();
const app = buildApp({
  config,
  ...createRuntime(config),
  // serverless-offline has no IAM and lets a client header stand in for the authorizer context.
  iamIdentity: config.offline ? undefined : iamIdentityOfLambdaRequest,
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
