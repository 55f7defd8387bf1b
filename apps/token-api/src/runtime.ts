import { SecretsManagerClient, type SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SECRETS_MANAGER_CLIENT_SETTINGS } from '@roomgate/shared/client-settings';
import { createSigningKeySource, type SigningKeySource } from '@roomgate/shared/key-source';
import { createJsonLogger } from '@roomgate/shared/logger';
import { systemClock } from '@roomgate/shared/types';
import { createApiKeySource, type ApiKeySource } from './auth/api-key-source.ts';
import type { TokenApiConfig } from './config.ts';
import { cachedCredentials } from './presign/cached-credentials.ts';
import { createSocketUrlPresigner, type SocketUrlPresigner } from './presign/socket-url-presigner.ts';

export interface Runtime {
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
  const client = new SecretsManagerClient(secretsClientConfig(config.secretsEndpoint));
  const logger = createJsonLogger({ base: { service: 'token-api', stage: config.stage } });
  const socketUrlPresigner = config.socketIam && createSocketUrlPresignerFor(config.socketIam);
  // Host and path only: a presigned URL is a bearer credential for its lifetime.
  if (socketUrlPresigner) logger.info('socket URLs are SigV4-presigned (IAM mode)', socketUrlPresigner.describe);
  return {
    ...(socketUrlPresigner && { socketUrlPresigner }),
    keys: createSigningKeySource({
      client,
      secretId: config.signingKeySecretId,
      jwksSecretId: config.publicKeysSecretId,
      maxAgeSeconds: config.secretsMaxAgeSeconds,
      logger,
    }),
    apiKeys: createApiKeySource({ client, secretId: config.apiKeysSecretId, maxAgeSeconds: config.secretsMaxAgeSeconds, logger }),
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

/**
 * Fail fast: a caller waiting on a token is better served by a quick 503 than by the SDK's
 * default retries against an endpoint that is down. A loopback endpoint (the devstack) gets a
 * region and dummy credentials so local runs need no AWS profile.
 */
export function secretsClientConfig(endpoint: string | undefined, env: Record<string, string | undefined> = process.env): SecretsManagerClientConfig {
  const base: SecretsManagerClientConfig = { ...SECRETS_MANAGER_CLIENT_SETTINGS };
  if (endpoint === undefined) return base;
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(new URL(endpoint).hostname);
  return {
    ...base,
    endpoint,
    ...(local && {
      region: env.AWS_REGION ?? 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  };
}
