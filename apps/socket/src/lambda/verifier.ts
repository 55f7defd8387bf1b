import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SECRETS_MANAGER_CLIENT_SETTINGS } from '@roomgate/shared/client-settings';
import { createJwksSecretSource } from '@roomgate/shared/key-source';
import type { Logger, TokenVerifier } from '@roomgate/shared/types';
import { createVerifier } from '@roomgate/shared/verifier';
import type { SocketConfig } from '../config.ts';

/** The public keys load on the first verify; a failed load is retried by the next request. */
export function createTokenVerifier(config: SocketConfig, logger: Logger): TokenVerifier {
  const secrets = new SecretsManagerClient({ ...SECRETS_MANAGER_CLIENT_SETTINGS, ...(config.secretsEndpoint ? { endpoint: config.secretsEndpoint } : {}) });
  const keys = createJwksSecretSource({ client: secrets, secretId: config.publicKeysSecretId, logger });
  return createVerifier({
    keys,
    ...(config.tokenIssuer !== undefined ? { issuer: config.tokenIssuer } : {}),
    ...(config.tokenAudience !== undefined ? { audience: config.tokenAudience } : {}),
    requireIssAud: config.requireIssAud,
    allowLegacy: config.allowLegacyTokens,
    clockToleranceSeconds: config.clockToleranceSeconds,
    maxTokenLifetimeSeconds: config.maxTokenLifetimeSeconds,
  });
}
