import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { KeyAdmin } from '@roomgate/devstack';
import { localClientConfig } from '@roomgate/local-aws';
// Brings in the typing of inject('secretsEndpoint') for every test that uses these helpers.
import type {} from '@roomgate/local-aws/vitest-global-setup';
import type { SigningAlgorithm } from '@roomgate/shared/tokens';
import { apiKeysSecretName } from '../../src/http/config.ts';
import { apiKeysSecret } from './fixtures.ts';

/** Stage names unique per test, so tests sharing the global-setup endpoint never see each other's data. */
export const uniqueStage = (prefix: string): string => `${prefix}-${Math.random().toString(36).slice(2, 8)}`;

/** Creates a stage's signing key + JWKS and its api-keys secret (each optional) through the real SDK. */
export async function seedStage(endpoint: string, stage: string, options: { alg?: SigningAlgorithm; signingKey?: boolean; apiKeys?: boolean } = {}) {
  const client = new SecretsManagerClient(localClientConfig(endpoint));
  const admin = new KeyAdmin({ client, stage });
  if (options.signingKey !== false) await admin.create({ alg: options.alg ?? 'RS256' });
  if (options.apiKeys !== false) {
    await client.send(new CreateSecretCommand({ Name: apiKeysSecretName(stage), SecretString: apiKeysSecret() }));
  }
  return { client, admin };
}
