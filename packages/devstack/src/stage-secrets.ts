import { DeleteSecretCommand, ResourceNotFoundException, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { apiKeysSecretName } from '@roomgate/shared/auth';
import { publicKeysSecretName, signingKeySecretName } from '@roomgate/shared/tokens';
import { assertStage } from './stage.ts';
import { secretsCall } from './secrets-call.ts';

/** Days Secrets Manager keeps a deleted secret restorable (DeleteSecret RecoveryWindowInDays: 7-30, AWS default 30). */
export const RECOVERY_WINDOW_DAYS = { min: 7, max: 30, default: 30 } as const;

/** What happened to one of a stage's secrets. */
export interface DeletedSecret {
  name: string;
  /** scheduled: restorable until deletionDate (ISO 8601); gone: deleted now; absent: there was none */
  outcome: 'scheduled' | 'gone' | 'absent';
  deletionDate?: string;
}

/** Every secret a stage owns: the signing key, the published JWKS, the API keys. */
export const stageSecretNames = (stage: string): string[] =>
  [signingKeySecretName, publicKeysSecretName, apiKeysSecretName].map((name) => name(assertStage(stage)));

/**
 * Deletes a stage's secrets. With a recovery window (days, 7-30) each stays restorable until its
 * deletion date (`aws secretsmanager restore-secret --secret-id <name>`) and its name stays taken,
 * so `pnpm keys create` for the same stage fails until it is restored or the window ends. With
 * `force` it is gone at once, and every token of the stage stops verifying for good.
 * Throws DevstackError ERR_SECRETS_UNAVAILABLE when Secrets Manager cannot be reached or refuses.
 */
export async function deleteStageSecrets(
  client: SecretsManagerClient,
  stage: string,
  options: { recoveryWindowDays?: number; force?: boolean },
): Promise<DeletedSecret[]> {
  const results: DeletedSecret[] = [];
  for (const name of stageSecretNames(stage)) {
    try {
      const out = await secretsCall(() =>
        client.send(
          new DeleteSecretCommand(
            options.force
              ? { SecretId: name, ForceDeleteWithoutRecovery: true }
              : { SecretId: name, RecoveryWindowInDays: options.recoveryWindowDays ?? RECOVERY_WINDOW_DAYS.default },
          ),
        ),
      );
      results.push(
        options.force ? { name, outcome: 'gone' } : { name, outcome: 'scheduled', ...(out.DeletionDate && { deletionDate: out.DeletionDate.toISOString() }) },
      );
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
      results.push({ name, outcome: 'absent' });
    }
  }
  return results;
}
