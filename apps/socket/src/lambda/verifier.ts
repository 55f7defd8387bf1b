import { createLazySecretsManagerClient, endpointConfig, type Logger, type Metrics } from '@roomgate/shared/runtime';
import { createJwksSecretSource, type TokenVerifier, createVerifier } from '@roomgate/shared/tokens';
import type { SocketConfig } from '../config.ts';

/**
 * The public keys load on the first verify; a failed load is retried by the next request. The
 * Secrets Manager package loads then too: `$default` builds a verifier but a ping never verifies.
 */
export function createTokenVerifier(config: SocketConfig, logger: Logger, metrics?: Metrics): TokenVerifier {
  const secrets = createLazySecretsManagerClient(endpointConfig(config.secretsEndpoint));
  const keys = createJwksSecretSource({ client: secrets, secretId: config.publicKeysSecretId, logger, ...(metrics !== undefined ? { metrics } : {}) });
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
