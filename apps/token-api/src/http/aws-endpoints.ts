/** Where an SDK client connects, and as whom when that is the local stack. */
export interface EndpointConfig {
  endpoint?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * An endpoint on loopback (dynalite, the devstack's Secrets Manager, serverless-offline's
 * management port) gets a region and dummy credentials, so the local stack needs no AWS profile;
 * no endpoint (AWS) leaves the SDK's defaults. Passed to the client factories of
 * `@roomgate/shared/runtime`, which add the retries and timeouts.
 */
export function localEndpoint(endpoint: string | undefined, env: Record<string, string | undefined> = process.env): EndpointConfig {
  if (endpoint === undefined) return {};
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(new URL(endpoint).hostname);
  if (!local) return { endpoint };
  return { endpoint, region: env.AWS_REGION ?? 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
}
