// Cold-start baseline for the token API: the same handler shape (ESM, top-level client) and the
// same first AWS calls as the token function's first request — the public-keys and signing-key
// secrets, read in parallel (the key source loads them as one snapshot) — with nothing but the SDK
// client it needs.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

const endpoint = process.env.SECRETS_ENDPOINT;
const client = new SecretsManagerClient(endpoint ? { endpoint } : {});

export const handler = async (): Promise<{ statusCode: number; headers: Record<string, string>; body: string }> => {
  const read = (name: string) => client.send(new GetSecretValueCommand({ SecretId: `roomgate/${process.env.STAGE}/${name}` }));
  const [jwks, secret] = await Promise.all([read('public-keys'), read('signing-key')]);
  const bytes = (jwks.SecretString?.length ?? 0) + (secret.SecretString?.length ?? 0);
  return { statusCode: 201, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ bytes }) };
};
