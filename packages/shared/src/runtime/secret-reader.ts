import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { KeyUnavailableError, RoomgateError } from '../errors.ts';
import { clientOf, type ClientRef } from './lazy-client.ts';
import { loadSecretsManagerSdk } from './secrets-manager-lazy-client.ts';

export type SecretStage = 'AWSCURRENT' | 'AWSPREVIOUS';

/**
 * Reads one secret string, converting SDK failures to domain errors here, where they happen:
 * a missing secret is ERR_KEY_NOT_FOUND (an operator must create it), anything else
 * (network, throttling, 5xx, access denied) is ERR_KEY_UNAVAILABLE (try again). The SDK package
 * loads on the first read (`client` may be a LazyClient), not when the bundle loads.
 */
export async function readSecretString(
  client: ClientRef<SecretsManagerClient>,
  secretId: string,
  stage: SecretStage = 'AWSCURRENT',
): Promise<string | undefined> {
  try {
    const [sdk, secrets] = await Promise.all([loadSecretsManagerSdk(), clientOf(client)]);
    const output = await secrets.send(new sdk.GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }));
    if (output.SecretString === undefined) throw new KeyUnavailableError(`secret ${secretId} has no string value`);
    return output.SecretString;
  } catch (error) {
    if (error instanceof RoomgateError) throw error;
    const name = (error as { name?: string } | null)?.name;
    if (name === 'ResourceNotFoundException') {
      if (stage !== 'AWSCURRENT') return undefined;
      throw new RoomgateError('ERR_KEY_NOT_FOUND', `secret ${secretId} does not exist`, { cause: error });
    }
    throw new KeyUnavailableError(`secret ${secretId} could not be read`, { cause: error });
  }
}
