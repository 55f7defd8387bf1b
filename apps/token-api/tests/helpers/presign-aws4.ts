import aws4 from 'aws4';
import type { AwsCredentialIdentity } from '@smithy/types';

/**
 * The signature the `aws4` package (a SigV4 implementation independent of @smithy) computes for
 * a presigned URL's request: it is given the URL's own parameters, X-Amz-Date and X-Amz-Expires
 * and re-derives algorithm, credential scope, security token, signed headers and signature.
 */
export function aws4Signature(presignedUrl: string, options: { region: string; service?: string; credentials: AwsCredentialIdentity }): string | null {
  const url = new URL(presignedUrl);
  const regenerated = new Set(['X-Amz-Signature', 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-SignedHeaders', 'X-Amz-Security-Token']);
  const kept = new URLSearchParams();
  for (const [name, value] of url.searchParams) if (!regenerated.has(name)) kept.append(name, value);
  const signed = aws4.sign(
    {
      method: 'GET',
      host: url.host,
      path: `${url.pathname}?${kept.toString()}`,
      service: options.service ?? 'execute-api',
      region: options.region,
      signQuery: true,
    },
    {
      accessKeyId: options.credentials.accessKeyId,
      secretAccessKey: options.credentials.secretAccessKey,
      ...(options.credentials.sessionToken !== undefined && { sessionToken: options.credentials.sessionToken }),
    },
  );
  return new URLSearchParams((signed.path ?? '').split('?')[1] ?? '').get('X-Amz-Signature');
}
