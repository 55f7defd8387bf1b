import { describeError } from '@roomgate/shared/logger';
import { createLambdaHandler, iamIdentityOfLambdaRequest } from '../lambda-handler.ts';
import { buildRoomsApp } from './app.ts';
import { parseRoomsConfig, type RoomsApiConfig } from './config.ts';
import { createRoomsRuntime } from './runtime.ts';

// The rooms function's entry. Runs once per container, during Lambda init (top-level await).
const config = loadConfig();
const app = buildRoomsApp({
  config,
  ...createRoomsRuntime(config),
  // serverless-offline has no IAM and lets a client header stand in for the authorizer context.
  iamIdentity: config.offline ? undefined : iamIdentityOfLambdaRequest,
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
