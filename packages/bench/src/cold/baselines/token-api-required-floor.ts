// Cold-start required floor for the token function: the Fastify floor (token-api-fastify-floor.ts)
// plus what no token function can leave out. Issue 18's observability: a Powertools log line per
// request and EMF metrics per invocation. The token itself: the published JWKS and the signing key
// imported from the two secrets the baseline reads, the key checked against its own public half
// and against the JWKS (issue 11's key consistency, as the function's key source does), and one
// signature. No authentication, validation or error mapping (docs/benchmarks.md, cold start,
// fifth pass).
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createSigner, importJwks, importSigningKey, isSigningKeyPublished, parseSigningKeyRecord, type TokenSigner } from '@roomgate/shared/tokens';
import { fastifyFloor } from './fastify-floor.ts';

const endpoint = process.env.SECRETS_ENDPOINT;
const client = new SecretsManagerClient(endpoint ? { endpoint } : {});
const service = 'roomgate-token-api';

/** The keys are read and checked on the first request, then kept, as the function's key source does. */
async function loadSigner(): Promise<TokenSigner> {
  const read = (name: string) => client.send(new GetSecretValueCommand({ SecretId: `roomgate/${process.env.STAGE}/${name}` }));
  const [jwks, secret] = await Promise.all([read('public-keys'), read('signing-key')]);
  const published = importJwks(jwks.SecretString ?? '');
  const key = await importSigningKey(parseSigningKeyRecord(secret.SecretString ?? ''));
  if (!isSigningKeyPublished(key, published)) throw new Error(`signing key ${key.kid} is not published`);
  return createSigner({ key, issuer: 'roomgate', audience: 'roomgate-socket' });
}
let signer: Promise<TokenSigner> | undefined;

const issue = async (): Promise<{ statusCode: number; body: string }> => {
  const { token } = await (await (signer ??= loadSigner())).sign({ roomId: 'chat-lobby-42', ttlSeconds: 600 });
  return { statusCode: 201, body: JSON.stringify({ token }) };
};

export const handler = await fastifyFloor('POST', '/v1/tokens', issue, {
  logger: new Logger({ serviceName: service }),
  metrics: new Metrics({ namespace: 'roomgate', serviceName: service }),
  metric: 'TokensIssued',
});
