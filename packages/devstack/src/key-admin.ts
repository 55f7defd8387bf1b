import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { isRoomgateError, KeyMalformedError } from '@roomgate/shared/errors';
import {
  generateSigningKey,
  importSigningKey,
  jwkThumbprint,
  parseSigningKeyRecord,
  type PublicJwk,
  publicKeysSecretName,
  signingKeySecretName,
  type Jwks,
  type SigningKeyRecord,
  type SigningAlgorithm,
} from '@roomgate/shared/tokens';
import { DevstackError } from './errors.ts';
import { secretsCall } from './secrets-call.ts';
import { assertStage } from './stage.ts';

/** What may be shown about a signing key: never its private half. */
export interface KeySummary {
  kid: string;
  alg: SigningAlgorithm;
  created_at: string;
  /** Secrets Manager version of the signing-key secret holding it */
  versionId: string;
  /** whether the public-keys JWKS lists it with the same key material, i.e. whether its tokens verify */
  published: boolean;
  /** why the record cannot sign verifiable tokens (import, pair match, size); absent when it can */
  problem?: string;
  /** when this version became AWSCURRENT/AWSPREVIOUS (its Secrets Manager CreatedDate), ISO 8601 */
  storedAt?: string;
}

export interface KeyStatus {
  stage: string;
  signingKeySecret: string;
  publicKeysSecret: string;
  current?: KeySummary;
  previous?: KeySummary;
  /** null when the public-keys secret does not exist */
  jwks: Jwks | null;
  /** true when the current key imports, its halves match, it fits its alg, and the JWKS lists it */
  healthy: boolean;
  /** what keeps the stage from being healthy, one sentence each */
  problems: string[];
  /**
   * From this time (ISO 8601) no container signs with a key other than the current one and no
   * such token is alive, so "rotate" and "retire" may drop the other published keys. Absent
   * when unknown (the current key is not published).
   */
  othersDroppableAt?: string;
}

/** The token API's defaults (apps/token-api/src/token/config.ts): SECRETS_MAX_AGE and TOKEN_MAX_TTL, seconds. */
export const DEFAULT_SECRETS_MAX_AGE_SECONDS = 300;
export const DEFAULT_MAX_TOKEN_TTL_SECONDS = 3600;

export interface KeyAdminOptions {
  client: SecretsManagerClient;
  stage: string;
  now?: () => Date;
  generate?: (alg: SigningAlgorithm, now: Date) => Promise<SigningKeyRecord>;
  /** The deployment's SECRETS_MAX_AGE: how long a token API container may sign with a key it loaded (seconds, default 300). */
  secretsMaxAgeSeconds?: number;
  /** The deployment's TOKEN_MAX_TTL: how long a token may live after it is signed (seconds, default 3600). */
  maxTokenTtlSeconds?: number;
}

interface StoredKey {
  record: SigningKeyRecord;
  versionId: string;
  storedAt: Date | undefined;
  /** the checked key, or why the record cannot be used */
  checked: { jwk: PublicJwk; thumbprint: string } | { problem: string };
}

/**
 * Creates, rotates and retires a stage's signing key, keeping one invariant (docs/security.md):
 * every kid a token API container may sign with is published before it is used, and stays
 * published while tokens signed with it can live.
 * - Every change publishes the JWKS first and moves the signing key second: a failure in between
 *   leaves an unused published key, never an unverifiable signer (and the token API signs with
 *   AWSCURRENT only once the JWKS lists it).
 * - A key leaves the JWKS only once the current key has been current for SECRETS_MAX_AGE (every
 *   container has reloaded) plus TOKEN_MAX_TTL (every token signed before has expired); earlier,
 *   "rotate" and "retire" refuse with ERR_KEY_IN_USE unless `force`.
 * - A record that cannot sign verifiable tokens (import, pair match, size) is never called healthy.
 */
export class KeyAdmin {
  readonly stage: string;
  private readonly client: SecretsManagerClient;
  private readonly now: () => Date;
  private readonly generate: (alg: SigningAlgorithm, now: Date) => Promise<SigningKeyRecord>;
  private readonly signingName: string;
  private readonly publicName: string;
  private readonly secretsMaxAgeSeconds: number;
  private readonly maxTokenTtlSeconds: number;

  constructor(options: KeyAdminOptions) {
    this.stage = assertStage(options.stage);
    this.client = options.client;
    this.now = options.now ?? (() => new Date());
    this.generate = options.generate ?? generateSigningKey;
    this.secretsMaxAgeSeconds = options.secretsMaxAgeSeconds ?? DEFAULT_SECRETS_MAX_AGE_SECONDS;
    this.maxTokenTtlSeconds = options.maxTokenTtlSeconds ?? DEFAULT_MAX_TOKEN_TTL_SECONDS;
    this.signingName = signingKeySecretName(this.stage);
    this.publicName = publicKeysSecretName(this.stage);
  }

  /**
   * First key of a stage. With `ifMissing` an existing key is kept after it is checked (a record
   * that cannot sign verifiable tokens fails with ERR_KEY_INVALID), and a JWKS that is missing or
   * does not list it is repaired (keys it already lists stay).
   */
  async create(options: { alg?: SigningAlgorithm; ifMissing?: boolean } = {}): Promise<{ created: boolean; status: KeyStatus }> {
    const existing = await this.read('AWSCURRENT');
    if (existing) {
      if (!options.ifMissing) {
        throw new DevstackError('ERR_KEY_EXISTS', `${this.signingName} already exists; use "rotate" to replace it, or --if-missing to keep it`);
      }
      const jwk = this.usable(existing, 'current');
      const jwks = await this.readJwks();
      if (jwks === null) {
        const previous = await this.read('AWSPREVIOUS');
        await this.publish([jwk, ...(previous && 'jwk' in previous.checked ? [previous.checked.jwk] : [])]);
      } else if (!this.isPublished(existing, jwks)) {
        await this.publish([jwk, ...jwks.keys.filter((key) => key.kid !== jwk.kid)]);
      }
      return { created: false, status: await this.show() };
    }
    const record = await this.generate(options.alg ?? 'RS256', this.now());
    const { publicJwk } = await importSigningKey(record);
    await this.publish([publicJwk]);
    try {
      await this.call(() =>
        this.client.send(
          new CreateSecretCommand({
            Name: this.signingName,
            Description: `roomgate signing key, stage ${this.stage}; private: only the token API may read it`,
            SecretString: JSON.stringify(record),
          }),
        ),
      );
    } catch (error) {
      if (!(error instanceof ResourceExistsException)) throw error;
      // A concurrent create won after publishing its own key; our JWKS write may have replaced
      // it, so publish the winner's key again.
      await this.publish([this.usable(await this.requireCurrent(), 'current')]);
      if (options.ifMissing) return { created: false, status: await this.show() };
      throw new DevstackError('ERR_KEY_EXISTS', `${this.signingName} already exists; use "rotate" to replace it`, { cause: error });
    }
    return { created: true, status: await this.show() };
  }

  /**
   * New key becomes AWSCURRENT, the old one AWSPREVIOUS; the JWKS holds both (when the old one
   * cannot sign, the key the token API falls back to stays instead). Any other published key is
   * dropped, which `force` is needed for until `othersDroppableAt`.
   */
  async rotate(options: { alg?: SigningAlgorithm; force?: boolean } = {}): Promise<KeyStatus> {
    const current = await this.requireCurrent();
    const jwks = await this.readJwks();
    const keep: PublicJwk[] = [];
    if ('jwk' in current.checked) keep.push(current.checked.jwk);
    else {
      const previous = await this.read('AWSPREVIOUS');
      if (previous && 'jwk' in previous.checked && jwks && this.isPublished(previous, jwks)) keep.push(previous.checked.jwk);
    }
    await this.guardDrop(current, jwks, keep, options.force, 'rotate');
    const record = await this.generate(options.alg ?? current.record.alg, this.now());
    const { publicJwk } = await importSigningKey(record);
    await this.publish([publicJwk, ...keep]);
    await this.call(() => this.client.send(new PutSecretValueCommand({ SecretId: this.signingName, SecretString: JSON.stringify(record) })));
    return this.show();
  }

  /** Publishes only the current key: tokens signed with any other key stop verifying. */
  async retire(options: { force?: boolean } = {}): Promise<{ retired: string[]; status: KeyStatus }> {
    const current = await this.requireCurrent();
    const currentJwk = this.usable(current, 'current');
    const jwks = await this.readJwks();
    const retired = (jwks?.keys ?? []).map((k) => k.kid).filter((kid) => kid !== currentJwk.kid);
    const upToDate = retired.length === 0 && jwks?.keys.length === 1 && this.isPublished(current, jwks);
    if (!upToDate) {
      await this.guardDrop(current, jwks, [currentJwk], options.force, 'retire');
      await this.publish([currentJwk]);
    }
    return { retired, status: await this.show() };
  }

  async show(): Promise<KeyStatus> {
    const [current, previous, jwks] = await Promise.all([this.read('AWSCURRENT'), this.read('AWSPREVIOUS'), this.readJwks()]);
    const summary = async (stored: StoredKey): Promise<KeySummary> => ({
      kid: 'jwk' in stored.checked ? stored.checked.jwk.kid : stored.record.kid || '(unknown)',
      alg: stored.record.alg,
      created_at: stored.record.created_at,
      versionId: stored.versionId,
      published: jwks !== null && this.isPublished(stored, jwks),
      ...('problem' in stored.checked && { problem: stored.checked.problem }),
      ...(stored.storedAt && { storedAt: stored.storedAt.toISOString() }),
    });
    const currentSummary = current && (await summary(current));
    const problems: string[] = [];
    if (!currentSummary) problems.push(`${this.signingName} does not exist; run "create"`);
    else if (currentSummary.problem) problems.push(`current key cannot sign verifiable tokens: ${currentSummary.problem}`);
    else if (jwks === null) problems.push(`${this.publicName} does not exist; run "create --if-missing" to publish the current key`);
    else if (!currentSummary.published) problems.push(`current key ${currentSummary.kid} is not published in ${this.publicName}; run "create --if-missing"`);
    const droppableAt = current && currentSummary?.published ? this.droppableAt(current) : undefined;
    return {
      stage: this.stage,
      signingKeySecret: this.signingName,
      publicKeysSecret: this.publicName,
      ...(currentSummary ? { current: currentSummary } : {}),
      ...(previous ? { previous: await summary(previous) } : {}),
      jwks,
      healthy: problems.length === 0,
      problems,
      ...(droppableAt && { othersDroppableAt: droppableAt.toISOString() }),
    };
  }

  /** The checked public JWK of a stored key, or ERR_KEY_INVALID naming why it cannot be used. */
  private usable(stored: StoredKey, label: string): PublicJwk {
    if ('jwk' in stored.checked) return stored.checked.jwk;
    throw new DevstackError('ERR_KEY_INVALID', `${this.signingName} (${label}): ${stored.checked.problem}; fix the secret, or run "rotate" to replace the key`);
  }

  /** When the current key's version was stored, plus SECRETS_MAX_AGE and TOKEN_MAX_TTL. */
  private droppableAt(current: StoredKey): Date | undefined {
    if (!current.storedAt) return undefined;
    return new Date(current.storedAt.getTime() + (this.secretsMaxAgeSeconds + this.maxTokenTtlSeconds) * 1000);
  }

  /**
   * Refuses to unpublish keys (those in `jwks` but not in `keep`) while a container may still sign
   * with them or their tokens may still be alive, unless `force`.
   */
  private async guardDrop(current: StoredKey, jwks: Jwks | null, keep: PublicJwk[], force: boolean | undefined, operation: string): Promise<void> {
    const kept = new Set(keep.map((key) => key.kid));
    const dropped = (jwks?.keys ?? []).map((key) => key.kid).filter((kid) => !kept.has(kid));
    if (dropped.length === 0 || force) return;
    const currentPublished = jwks !== null && 'jwk' in current.checked && this.isPublished(current, jwks);
    const at = currentPublished ? this.droppableAt(current) : undefined;
    if (at && at.getTime() <= this.now().getTime()) return;
    const window = `SECRETS_MAX_AGE (${this.secretsMaxAgeSeconds} s) + TOKEN_MAX_TTL (${this.maxTokenTtlSeconds} s)`;
    const when = at
      ? `wait until ${at.toISOString()} (the current key became current at ${current.storedAt!.toISOString()}, + ${window})`
      : `the current key is not published, so containers may still sign with ${dropped.join(', ')}; publish it ("create --if-missing") and wait ${window}`;
    throw new DevstackError(
      'ERR_KEY_IN_USE',
      `"${operation}" would unpublish ${dropped.join(', ')} while token API containers may still sign with it or its tokens may still be alive; ${when}, or pass --force (its tokens then stop verifying)`,
    );
  }

  /** Listed under its kid with the same key material (RFC 7638 thumbprint). */
  private isPublished(stored: StoredKey, jwks: Jwks): boolean {
    if (!('jwk' in stored.checked)) return false;
    const { jwk, thumbprint } = stored.checked;
    for (const entry of jwks.keys) {
      if (entry.kid !== jwk.kid || entry.alg !== jwk.alg) continue;
      try {
        if (jwkThumbprint(entry) === thumbprint) return true;
      } catch {
        // An entry without its required members is not this key.
      }
    }
    return false;
  }

  private async requireCurrent(): Promise<StoredKey> {
    const current = await this.read('AWSCURRENT');
    if (!current) throw new DevstackError('ERR_KEY_NOT_FOUND', `${this.signingName} does not exist; run "create" first`);
    return current;
  }

  /** The signing key under a staging label, or undefined when the secret or the label is absent. */
  private async read(stage: 'AWSCURRENT' | 'AWSPREVIOUS'): Promise<StoredKey | undefined> {
    const value = await this.getString(this.signingName, stage);
    if (!value) return undefined;
    const record = parseSigningKeyRecord(value.secretString);
    let checked: StoredKey['checked'];
    try {
      const { publicJwk } = await importSigningKey(record);
      checked = { jwk: publicJwk, thumbprint: jwkThumbprint(publicJwk) };
    } catch (error) {
      if (!isRoomgateError(error)) throw error;
      checked = { problem: error.message };
    }
    return { record, versionId: value.versionId, storedAt: value.createdDate, checked };
  }

  private async readJwks(): Promise<Jwks | null> {
    const value = await this.getString(this.publicName, 'AWSCURRENT');
    if (!value) return null;
    try {
      const jwks = JSON.parse(value.secretString) as Jwks;
      if (!Array.isArray(jwks?.keys)) throw new Error('no "keys" array');
      return jwks;
    } catch (cause) {
      throw new KeyMalformedError(`${this.publicName} is not a JWKS`, { cause });
    }
  }

  private async getString(secretId: string, stage: string): Promise<{ secretString: string; versionId: string; createdDate: Date | undefined } | undefined> {
    try {
      const out = await this.call(() => this.client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage })));
      if (typeof out.SecretString !== 'string') throw new KeyMalformedError(`${secretId} holds no SecretString`);
      return { secretString: out.SecretString, versionId: out.VersionId ?? '', createdDate: out.CreatedDate };
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
  }

  private async publish(keys: PublicJwk[]): Promise<void> {
    const jwks: Jwks = { keys };
    const value = JSON.stringify(jwks);
    const put = () => this.call(() => this.client.send(new PutSecretValueCommand({ SecretId: this.publicName, SecretString: value })));
    try {
      await put();
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
      try {
        await this.call(() =>
          this.client.send(
            new CreateSecretCommand({
              Name: this.publicName,
              Description: `roomgate public keys (JWKS), stage ${this.stage}`,
              SecretString: value,
            }),
          ),
        );
      } catch (createError) {
        if (!(createError instanceof ResourceExistsException)) throw createError;
        await put();
      }
    }
  }

  private call<T>(request: () => Promise<T>): Promise<T> {
    return secretsCall(request);
  }
}
