import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { createSigningKeySource, type SigningKeySource } from '@roomgate/shared/tokens';
import { createJsonLogger, createMetrics, createSecretsManagerClient, systemClock, type JsonLogger, type Metrics } from '@roomgate/shared/runtime';
import { createApiKeySource, type ApiKeySource } from '../http/auth/api-key-source.ts';
import { localEndpoint } from '../http/aws-endpoints.ts';
import type { TokenApiConfig } from './config.ts';
import { cachedCredentials } from './presign/cached-credentials.ts';
import { createSocketUrlPresigner, type SocketUrlPresigner } from './presign/socket-url-presigner.ts';

export interface Runtime {
  /** The function's one logger; Fastify writes through it too (http/fastify-logger.ts). */
  logger: JsonLogger;
  /** EMF metrics, flushed after each invocation (lambda.ts). */
  metrics: Metrics;
  keys: SigningKeySource;
  apiKeys: ApiKeySource;
  /** IAM mode only. */
  socketUrlPresigner?: SocketUrlPresigner;
}

/**
 * The AWS side of the app, created once per container: one Secrets Manager client, the key
 * source and the API-key source. Nothing is fetched here; the first request loads the secrets.
 */
export function createRuntime(config: TokenApiConfig): Runtime {
  const client = createSecretsManagerClient(localEndpoint(config.secretsEndpoint));
  const logger = createJsonLogger({ base: { service: 'roomgate-token-api', stage: config.stage }, level: config.logLevel });
  const metrics = createMetrics({ service: 'roomgate-token-api', defaultDimensions: { stage: config.stage } });
  const socketUrlPresigner = config.socketIam && createSocketUrlPresignerFor(config.socketIam);
  // Host and path only: a presigned URL is a bearer credential for its lifetime.
  if (socketUrlPresigner) logger.info('socket URLs are SigV4-presigned (IAM mode)', socketUrlPresigner.describe);
  return {
    logger,
    metrics,
    ...(socketUrlPresigner && { socketUrlPresigner }),
    keys: createSigningKeySource({
      client,
      secretId: config.signingKeySecretId,
      jwksSecretId: config.publicKeysSecretId,
      maxAgeSeconds: config.secretsMaxAgeSeconds,
      logger,
      metrics,
    }),
    apiKeys: createApiKeySource({ client, secretId: config.apiKeysSecretId, maxAgeSeconds: config.secretsMaxAgeSeconds, logger, metrics }),
  };
}

/**
 * One credential chain per container (the Lambda role's credentials in AWS, the usual env vars /
 * profile locally), resolved on the first presign and reused until near expiry, never per request.
 */
function createSocketUrlPresignerFor(iam: NonNullable<TokenApiConfig['socketIam']>): SocketUrlPresigner {
  return createSocketUrlPresigner({
    target: iam.target,
    region: iam.region,
    expiresInSeconds: iam.presignExpiresSeconds,
    credentials: cachedCredentials(defaultProvider(), { refreshBeforeSeconds: Math.max(300, iam.presignExpiresSeconds), clock: systemClock }),
    clock: systemClock,
  });
}
