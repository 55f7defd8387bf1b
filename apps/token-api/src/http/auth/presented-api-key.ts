import { RoomgateError } from '@roomgate/shared/errors';

const BEARER = /^Bearer[ ]+(.*)$/i;

/**
 * The one API key a request presents, from `x-api-key` or `Authorization: Bearer <key>`, read
 * from the raw header list (`IncomingMessage.rawHeaders`: name, value, name, value, …) so that
 * every occurrence counts. `undefined`: no API key at all.
 *
 * Throws 400 ERR_CREDENTIALS_AMBIGUOUS when the request carries more than one key, because each
 * layer in front of the app picks a different one of them:
 * - a repeated header: Node keeps the first `Authorization` and joins repeated `x-api-key`s,
 *   serverless-offline keeps the last of each;
 * - a comma-joined value: API Gateway HTTP APIs (payload 2.0) join repeated headers with commas
 *   ("Duplicate headers are combined with commas", AWS docs: HTTP API Lambda integrations), and
 *   RFC 9110 5.3 makes `a, b` the same as two headers. A key never contains a comma (`rgk_` +
 *   base64url), so a comma always means a list;
 * - `x-api-key` and a Bearer key that differ.
 * The socket handshake refuses a repeated token the same way (apps/socket/src/handshake.ts).
 * Non-Bearer `Authorization` schemes (a SigV4 signature) are not API keys and are ignored here.
 */
export function presentedApiKey(rawHeaders: readonly string[]): string | undefined {
  const apiKeys = valuesOf(rawHeaders, 'x-api-key')
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value !== '');
  if (apiKeys.length > 1) throw ambiguous('send one x-api-key header with one key');

  const authorizations = valuesOf(rawHeaders, 'authorization');
  const bearers = authorizations.map((value) => BEARER.exec(value.trim())?.[1]?.trim()).filter((value) => value !== undefined);
  if (bearers.length > 0 && authorizations.length > 1) throw ambiguous('send one Authorization header');
  const bearer = bearers[0];
  if (bearer !== undefined && /[,\s]/.test(bearer)) throw ambiguous('send one key in Authorization: Bearer');

  const apiKey = apiKeys[0];
  if (apiKey !== undefined && bearer !== undefined && bearer !== '' && apiKey !== bearer) {
    throw ambiguous('x-api-key and Authorization: Bearer carry different keys; send one');
  }
  return apiKey ?? (bearer || undefined);
}

function valuesOf(rawHeaders: readonly string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === name) values.push(rawHeaders[i + 1]!);
  }
  return values;
}

/** 400 ERR_CREDENTIALS_AMBIGUOUS: more than one API key in one request (the token API and the Rooms API). */
export class CredentialsAmbiguousError extends RoomgateError {
  constructor(message: string) {
    super('ERR_CREDENTIALS_AMBIGUOUS', message);
  }
}

const ambiguous = (hint: string) => new CredentialsAmbiguousError(`the request carries more than one API key: ${hint}`);
