// Cold-start baseline for the token API: the same handler shape (ESM, top-level client, one
// Secrets Manager read on the first event) with nothing but the SDK client it needs.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

const endpoint = process.env.SECRETS_ENDPOINT;
const client = new SecretsManagerClient(endpoint ? { endpoint } : {});

export const handler = async (): Promise<{ statusCode: number; headers: Record<string, string>; body: string }> => {
  const secret = await client.send(new GetSecretValueCommand({ SecretId: `roomgate/${process.env.STAGE}/signing-key` }));
  return { statusCode: 201, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ bytes: secret.SecretString?.length ?? 0 }) };
};
