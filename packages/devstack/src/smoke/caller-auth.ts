import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

/** Credentials or a provider of them (e.g. the SDK's default chain). */
export type SigningCredentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];

/** One request to the token API or the Rooms API, before authentication. */
export interface CallerRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

/** Returns the headers to send: the request's own plus the caller's credentials. */
export type AuthorizeRequest = (request: CallerRequest) => Promise<Record<string, string>>;

/** `callerAuth: api-key` (and every local stack): the key in `x-api-key`. */
export function apiKeyAuth(apiKey: string): AuthorizeRequest {
  return async ({ headers }) => ({ ...headers, 'x-api-key': apiKey });
}

/**
 * `callerAuth: iam`: SigV4 (service `execute-api`) with the given credentials, the way
 * docs/backend-teams.md's Node example signs; the body is part of the signature.
 */
export function sigV4Auth(options: { region: string; credentials: SigningCredentials }): AuthorizeRequest {
  const signer = new SignatureV4({ service: 'execute-api', region: options.region, credentials: options.credentials, sha256: Hash.bind(null, 'sha256') });
  return async ({ method, url, headers, body }) => {
    const signed = await signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...headers, host: url.host },
      ...(body !== undefined ? { body } : {}),
    });
    // fetch sets Host itself and refuses to be given one.
    const { host: _host, ...rest } = signed.headers;
    return rest;
  };
}
