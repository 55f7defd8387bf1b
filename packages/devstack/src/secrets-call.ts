import { ResourceExistsException, ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import { DevstackError } from './errors.ts';

/**
 * Runs one Secrets Manager request for the admin tools. Not-found and already-exists drive their
 * logic and pass through; anything else (no credentials, no region, access denied, network)
 * becomes one ERR_SECRETS_UNAVAILABLE naming the cause, so the CLI prints one useful line.
 */
export async function secretsCall<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (error instanceof ResourceNotFoundException || error instanceof ResourceExistsException) throw error;
    const name = (error as Error)?.name ?? 'Error';
    const message = (error as Error)?.message ?? String(error);
    const prefix = name === 'Error' ? '' : `${name}: `;
    throw new DevstackError('ERR_SECRETS_UNAVAILABLE', `Secrets Manager request failed: ${prefix}${message}`, { cause: error });
  }
}
