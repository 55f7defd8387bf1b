import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  API_KEY_ID_PATTERN,
  apiKeysSecretName,
  hashApiKey,
  newApiKey,
  type ApiKeysDocument,
  type StoredApiKey,
  roomPatternProblem,
} from '@roomgate/shared/auth';
import { KeyMalformedError } from '@roomgate/shared/errors';
import { DevstackError } from './errors.ts';
import { secretsCall } from './secrets-call.ts';
import { assertStage } from './stage.ts';

/** What may be shown about a stored key: its hash only as a short prefix to tell keys apart. */
export interface ApiKeySummary {
  id: string;
  rooms: string[];
  sha256Prefix: string;
}

export interface ApiKeyAdminOptions {
  client: SecretsManagerClient;
  stage: string;
}

/**
 * Creates, lists and revokes the API keys of a stage in `roomgate/<stage>/api-keys`. Only the
 * SHA-256 of a key is stored; the key itself is returned once, by `create`.
 *
 * Secrets Manager has no conditional write, so two admins changing keys at the same instant can
 * lose one change (last write wins). Key changes are rare, manual operations; `list` shows the result.
 */
export class ApiKeyAdmin {
  readonly stage: string;
  readonly secretName: string;
  private readonly client: SecretsManagerClient;

  constructor(options: ApiKeyAdminOptions) {
    this.stage = assertStage(options.stage);
    this.client = options.client;
    this.secretName = apiKeysSecretName(this.stage);
  }

  /** Adds a key for `rooms`; `key` is for callers that already hold one (the dev stack's stable key). */
  async create(options: { id: string; rooms: string[]; key?: string }): Promise<{ key: string; summary: ApiKeySummary }> {
    const entry = validEntry(options.id, options.rooms);
    const document = await this.read();
    if (document.keys.some((k) => k.id === entry.id)) {
      throw new DevstackError(
        'ERR_API_KEY_EXISTS',
        `API key ${JSON.stringify(entry.id)} already exists in ${this.secretName}; revoke it first or pick another --id`,
      );
    }
    const key = options.key ?? newApiKey();
    const stored: StoredApiKey = { ...entry, sha256: hashApiKey(key) };
    await this.write({ keys: [...document.keys, stored] });
    return { key, summary: summarise(stored) };
  }

  /**
   * Makes `id` accept exactly `key` for `rooms`, replacing a different hash under the same id.
   * `pnpm dev --persist` uses it so the key printed yesterday still works today.
   */
  async ensure(options: { id: string; rooms: string[]; key: string }): Promise<{ changed: boolean }> {
    const entry = validEntry(options.id, options.rooms);
    const document = await this.read();
    const stored: StoredApiKey = { ...entry, sha256: hashApiKey(options.key) };
    const existing = document.keys.find((k) => k.id === entry.id);
    if (existing && existing.sha256.toLowerCase() === stored.sha256 && sameRooms(existing.rooms, stored.rooms)) return { changed: false };
    await this.write({ keys: [...document.keys.filter((k) => k.id !== entry.id), stored] });
    return { changed: true };
  }

  async list(): Promise<ApiKeySummary[]> {
    return (await this.read()).keys.map(summarise);
  }

  async revoke(id: string): Promise<ApiKeySummary> {
    const document = await this.read();
    const existing = document.keys.find((k) => k.id === id);
    if (!existing) throw new DevstackError('ERR_API_KEY_NOT_FOUND', `no API key ${JSON.stringify(id)} in ${this.secretName}`);
    await this.write({ keys: document.keys.filter((k) => k.id !== id) });
    return summarise(existing);
  }

  /** The stored document; a missing secret is an empty one (the first `create` makes it). */
  private async read(): Promise<ApiKeysDocument> {
    let value: string | undefined;
    try {
      const out = await secretsCall(() => this.client.send(new GetSecretValueCommand({ SecretId: this.secretName })));
      value = out.SecretString;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return { keys: [] };
      throw error;
    }
    if (typeof value !== 'string') throw new KeyMalformedError(`${this.secretName} holds no SecretString`);
    try {
      const document = JSON.parse(value) as ApiKeysDocument;
      if (!Array.isArray(document?.keys)) throw new Error('no "keys" array');
      return document;
    } catch (cause) {
      throw new KeyMalformedError(`${this.secretName} is not an api-keys document`, { cause });
    }
  }

  private async write(document: ApiKeysDocument): Promise<void> {
    const SecretString = JSON.stringify(document);
    const put = () => secretsCall(() => this.client.send(new PutSecretValueCommand({ SecretId: this.secretName, SecretString })));
    try {
      await put();
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
      try {
        await secretsCall(() =>
          this.client.send(
            new CreateSecretCommand({
              Name: this.secretName,
              Description: `roomgate API keys (SHA-256 hashes only), stage ${this.stage}`,
              SecretString,
            }),
          ),
        );
      } catch (createError) {
        if (!(createError instanceof ResourceExistsException)) throw createError;
        await put();
      }
    }
  }
}

function validEntry(id: string, rooms: string[]): Omit<StoredApiKey, 'sha256'> {
  if (!API_KEY_ID_PATTERN.test(id)) {
    throw new DevstackError('ERR_API_KEY_INVALID', `API key id ${JSON.stringify(id)} must match ${API_KEY_ID_PATTERN.source}`);
  }
  if (rooms.length === 0) throw new DevstackError('ERR_API_KEY_INVALID', 'an API key needs at least one room pattern');
  const problem = rooms.map(roomPatternProblem).find((p) => p !== undefined);
  if (problem !== undefined) throw new DevstackError('ERR_API_KEY_INVALID', problem);
  return { id, rooms: [...new Set(rooms)] };
}

function sameRooms(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((room, i) => room === b[i]);
}

function summarise(key: StoredApiKey): ApiKeySummary {
  return { id: key.id, rooms: [...key.rooms], sha256Prefix: key.sha256.slice(0, 12).toLowerCase() };
}
