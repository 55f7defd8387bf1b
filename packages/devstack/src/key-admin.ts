import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { KeyMalformedError } from '@roomgate/shared/errors';
import {
  generateSigningKey,
  parseSigningKeyRecord,
  publicJwkOf,
  publicKeysSecretName,
  signingKeySecretName,
  type Jwks,
  type SigningKeyRecord,
} from '@roomgate/shared/keys';
import type { SigningAlgorithm } from '@roomgate/shared/types';
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
  /** whether the public-keys JWKS lists it, i.e. whether its tokens still verify */
  published: boolean;
}

export interface KeyStatus {
  stage: string;
  signingKeySecret: string;
  publicKeysSecret: string;
  current?: KeySummary;
  previous?: KeySummary;
  /** null when the public-keys secret does not exist */
  jwks: Jwks | null;
}

export interface KeyAdminOptions {
  client: SecretsManagerClient;
  stage: string;
  now?: () => Date;
  generate?: (alg: SigningAlgorithm, now: Date) => Promise<SigningKeyRecord>;
}

interface StoredKey {
  record: SigningKeyRecord;
  versionId: string;
}

/**
 * Creates, rotates and retires a stage's signing key. Verifiers must learn a key before tokens
 * signed with it exist, so every change publishes the JWKS first and moves the signing key second:
 * a failure in between leaves an unused published key, never an unverifiable signer.
 */
export class KeyAdmin {
  readonly stage: string;
  private readonly client: SecretsManagerClient;
  private readonly now: () => Date;
  private readonly generate: (alg: SigningAlgorithm, now: Date) => Promise<SigningKeyRecord>;
  private readonly signingName: string;
  private readonly publicName: string;

  constructor(options: KeyAdminOptions) {
    this.stage = assertStage(options.stage);
    this.client = options.client;
    this.now = options.now ?? (() => new Date());
    this.generate = options.generate ?? generateSigningKey;
    this.signingName = signingKeySecretName(this.stage);
    this.publicName = publicKeysSecretName(this.stage);
  }

  /** First key of a stage. With `ifMissing` an existing key is kept and only a missing JWKS is repaired. */
  async create(options: { alg?: SigningAlgorithm; ifMissing?: boolean } = {}): Promise<{ created: boolean; status: KeyStatus }> {
    const existing = await this.read('AWSCURRENT');
    if (existing) {
      if (!options.ifMissing) {
        throw new DevstackError('ERR_KEY_EXISTS', `${this.signingName} already exists; use "rotate" to replace it, or --if-missing to keep it`);
      }
      if ((await this.readJwks()) === null) await this.publish([existing.record, ...(await this.optionalPrevious())]);
      return { created: false, status: await this.show() };
    }
    const record = await this.generate(options.alg ?? 'RS256', this.now());
    await this.publish([record]);
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
      await this.publish([(await this.requireCurrent()).record]);
      if (options.ifMissing) return { created: false, status: await this.show() };
      throw new DevstackError('ERR_KEY_EXISTS', `${this.signingName} already exists; use "rotate" to replace it`, { cause: error });
    }
    return { created: true, status: await this.show() };
  }

  /** New key becomes AWSCURRENT, the old one AWSPREVIOUS; the JWKS holds both. */
  async rotate(options: { alg?: SigningAlgorithm } = {}): Promise<KeyStatus> {
    const current = await this.requireCurrent();
    const record = await this.generate(options.alg ?? current.record.alg, this.now());
    await this.publish([record, current.record]);
    await this.call(() => this.client.send(new PutSecretValueCommand({ SecretId: this.signingName, SecretString: JSON.stringify(record) })));
    return this.show();
  }

  /** Publishes only the current key: tokens signed with any other key stop verifying. */
  async retire(): Promise<{ retired: string[]; status: KeyStatus }> {
    const current = await this.requireCurrent();
    const currentJwk = await publicJwkOf(current.record);
    const jwks = await this.readJwks();
    const retired = (jwks?.keys ?? []).map((k) => k.kid).filter((kid) => kid !== currentJwk.kid);
    const upToDate = retired.length === 0 && jwks?.keys.length === 1;
    if (!upToDate) await this.publish([current.record]);
    return { retired, status: await this.show() };
  }

  async show(): Promise<KeyStatus> {
    const [current, previous, jwks] = await Promise.all([this.read('AWSCURRENT'), this.read('AWSPREVIOUS'), this.readJwks()]);
    const published = new Set((jwks?.keys ?? []).map((k) => k.kid));
    const summary = async (stored: StoredKey): Promise<KeySummary> => {
      const { kid } = await publicJwkOf(stored.record);
      return { kid, alg: stored.record.alg, created_at: stored.record.created_at, versionId: stored.versionId, published: published.has(kid) };
    };
    return {
      stage: this.stage,
      signingKeySecret: this.signingName,
      publicKeysSecret: this.publicName,
      ...(current ? { current: await summary(current) } : {}),
      ...(previous ? { previous: await summary(previous) } : {}),
      jwks,
    };
  }

  private async requireCurrent(): Promise<StoredKey> {
    const current = await this.read('AWSCURRENT');
    if (!current) throw new DevstackError('ERR_KEY_NOT_FOUND', `${this.signingName} does not exist; run "create" first`);
    return current;
  }

  private async optionalPrevious(): Promise<SigningKeyRecord[]> {
    const previous = await this.read('AWSPREVIOUS');
    return previous ? [previous.record] : [];
  }

  /** The signing key under a staging label, or undefined when the secret or the label is absent. */
  private async read(stage: 'AWSCURRENT' | 'AWSPREVIOUS'): Promise<StoredKey | undefined> {
    const value = await this.getString(this.signingName, stage);
    if (!value) return undefined;
    return { record: parseSigningKeyRecord(value.secretString), versionId: value.versionId };
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

  private async getString(secretId: string, stage: string): Promise<{ secretString: string; versionId: string } | undefined> {
    try {
      const out = await this.call(() => this.client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage })));
      if (typeof out.SecretString !== 'string') throw new KeyMalformedError(`${secretId} holds no SecretString`);
      return { secretString: out.SecretString, versionId: out.VersionId ?? '' };
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
  }

  private async publish(records: SigningKeyRecord[]): Promise<void> {
    const jwks: Jwks = { keys: await Promise.all(records.map((r) => publicJwkOf(r))) };
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
