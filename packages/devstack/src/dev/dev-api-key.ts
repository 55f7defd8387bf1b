import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newApiKey } from '@roomgate/shared/auth';
import type { ApiKeyAdmin } from '../api-key-admin.ts';

/** The dev stack's own API key: id `dev`, every room. It only ever exists on a local endpoint. */
export const DEV_API_KEY_ID = 'dev';
export const DEV_API_KEY_ROOMS = ['*'];

export const devApiKeyFile = (dataDir: string, stage: string): string => join(dataDir, `dev-api-key-${stage}`);

/**
 * In memory, a fresh key per run. With a data directory the plaintext key is kept in a file next
 * to the data (mode 600, gitignored), so the key printed yesterday, and pasted into some
 * script since, still works today. Storing a plaintext key is fine for this one: it opens only
 * the local stack. The secret is brought in line with the file on every start.
 */
export async function ensureDevApiKey(admin: ApiKeyAdmin, dataDir: string | undefined): Promise<{ key: string; file?: string }> {
  if (dataDir === undefined) {
    const key = newApiKey();
    await admin.ensure({ id: DEV_API_KEY_ID, rooms: DEV_API_KEY_ROOMS, key });
    return { key };
  }
  const file = devApiKeyFile(dataDir, admin.stage);
  let key = readKey(file);
  if (key === undefined) {
    key = newApiKey();
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${key}\n`, { mode: 0o600 });
  }
  await admin.ensure({ id: DEV_API_KEY_ID, rooms: DEV_API_KEY_ROOMS, key });
  return { key, file };
}

function readKey(file: string): string | undefined {
  try {
    const key = readFileSync(file, 'utf8').trim();
    return key === '' ? undefined : key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
