import { createSign } from 'node:crypto';

/**
 * A token signed the way the source system signs them, not the way roomgate does: RS256, header
 * `{typ, alg}` only (no `kid`), payload `{sub, iat, exp}` only (no iss, aud, uid, cap).
 * `privateKeyPem` is the stage's `private_key` (PKCS#8 PEM); times are epoch seconds.
 */
export function sourceSystemToken(privateKeyPem: string, roomId: string, ttlSeconds = 300, now = Math.floor(Date.now() / 1000)): string {
  const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${segment({ typ: 'JWT', alg: 'RS256' })}.${segment({ sub: roomId, iat: now, exp: now + ttlSeconds })}`;
  const signature = createSign('RSA-SHA256').update(input).sign(privateKeyPem).toString('base64url');
  return `${input}.${signature}`;
}

/**
 * The stage's signing-key record, read from the stack's local Secrets Manager with a plain AWS
 * JSON-protocol call (the endpoint takes dummy credentials and checks no signature), as a
 * migrating team would read its own `{private_key, public_key}` secret.
 */
export async function readSigningKey(secretsEndpoint: string, stage: string): Promise<{ private_key: string; alg?: string }> {
  const response = await fetch(secretsEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' },
    body: JSON.stringify({ SecretId: `roomgate/${stage}/signing-key` }),
  });
  if (!response.ok) throw new Error(`GetSecretValue answered ${response.status}: ${await response.text()}`);
  return JSON.parse(((await response.json()) as { SecretString: string }).SecretString) as { private_key: string; alg?: string };
}

/**
 * Opens a WebSocket with the token in `Sec-WebSocket-Protocol` (Node's built-in client) and
 * resolves with whether the handshake succeeded; the socket is closed again either way.
 */
export function tryConnect(socketUrl: string, token: string, timeoutMs = 15_000): Promise<'open' | 'refused'> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(socketUrl, ['roomgate.v1', `roomgate.token.${token}`]);
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no handshake answer from ${socketUrl} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.addEventListener('open', () => {
      clearTimeout(timer);
      socket.close();
      resolve('open');
    });
    socket.addEventListener('error', () => {
      clearTimeout(timer);
      resolve('refused');
    });
  });
}
