import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { InvalidCursorError } from '../errors.ts';

/**
 * The connection store's page cursor: DynamoDB's LastEvaluatedKey, base64url-encoded. It is opaque
 * to callers but not secret: it names the last connection id of the page, so it is for roomgate's
 * own services only. The Rooms API hands out a server-side reference instead (see docs/rooms-api.md).
 */

export function encodeCursor(key: Record<string, AttributeValue>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): Record<string, AttributeValue> {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const valid =
      typeof value === 'object' &&
      value !== null &&
      Object.values(value).every((v) => typeof v === 'object' && v !== null && typeof (v as { S?: unknown }).S === 'string');
    if (!valid) throw new Error('cursor is not a DynamoDB key of strings');
    return value as Record<string, AttributeValue>;
  } catch (cause) {
    throw new InvalidCursorError({ cause });
  }
}
