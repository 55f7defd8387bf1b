import { randomBytes, randomUUID } from 'node:crypto';
import { invalidParameter, invalidRequest, resourceExists, resourceNotFound } from './aws-service-error.ts';
import { LocalAwsError } from './errors.ts';
import { optionalString, readTags, readValue, readVersionStages, requireString, type Input } from './secret-input.ts';
import { matchesFilter, paginate, readFilters } from './secret-list.ts';
import { CURRENT, moveLabel, pruneDeprecated, versionsToStages, type Secret, type SecretVersion } from './secret-model.ts';

const NAME_PATTERN = /^[A-Za-z0-9/_+=.@!-]{1,512}$/;
const DAY_MS = 86_400_000;

export interface SecretStoreSnapshot {
  format: 'roomgate-secrets-manager/1';
  secrets: Secret[];
}

export interface SecretStoreOptions {
  region?: string;
  accountId?: string;
  /** epoch milliseconds; injected so tests control dates */
  now?: () => number;
}

type Output = Record<string, unknown>;

/**
 * The Secrets Manager data model — secrets, versions, staging labels — with AWS's rules for moving
 * labels. Operations take and return the awsJson shapes, so the HTTP layer only routes.
 */
export class SecretStore {
  private readonly secrets = new Map<string, Secret>();
  private readonly region: string;
  private readonly accountId: string;
  private readonly now: () => number;
  /** bumped on every change worth persisting */
  revision = 0;

  constructor(options: SecretStoreOptions = {}) {
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '000000000000';
    this.now = options.now ?? Date.now;
  }

  readonly operations: Record<string, (input: Input) => Output> = {
    CreateSecret: (input) => this.createSecret(input),
    GetSecretValue: (input) => this.getSecretValue(input),
    PutSecretValue: (input) => this.putSecretValue(input),
    UpdateSecret: (input) => this.updateSecret(input),
    DescribeSecret: (input) => this.describeSecret(input),
    UpdateSecretVersionStage: (input) => this.updateSecretVersionStage(input),
    ListSecrets: (input) => this.listSecrets(input),
    ListSecretVersionIds: (input) => this.listSecretVersionIds(input),
    DeleteSecret: (input) => this.deleteSecret(input),
    RestoreSecret: (input) => this.restoreSecret(input),
  };

  snapshot(): SecretStoreSnapshot {
    return { format: 'roomgate-secrets-manager/1', secrets: structuredClone([...this.secrets.values()]) };
  }

  restore(snapshot: unknown): void {
    const value = snapshot as Partial<SecretStoreSnapshot> | null;
    if (value?.format !== 'roomgate-secrets-manager/1' || !Array.isArray(value.secrets)) {
      throw new LocalAwsError('ERR_PERSIST_CORRUPT', 'not a roomgate-secrets-manager/1 snapshot');
    }
    this.secrets.clear();
    for (const secret of value.secrets) this.secrets.set(secret.name, structuredClone(secret));
  }

  private createSecret(input: Input): Output {
    const name = requireString(input, 'Name');
    if (!NAME_PATTERN.test(name)) {
      throw invalidParameter('Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!');
    }
    const existing = this.secrets.get(name);
    if (existing && existing.deletionMs !== undefined && existing.deletionMs > this.now()) {
      throw invalidRequest("You can't create this secret because a secret with this name is already scheduled for deletion.");
    }
    if (existing && existing.deletionMs === undefined) {
      throw resourceExists(`The operation failed because the secret ${name} already exists.`);
    }
    const now = this.now();
    const secret: Secret = {
      arn: `arn:aws:secretsmanager:${this.region}:${this.accountId}:secret:${name}-${arnSuffix()}`,
      name,
      tags: readTags(input),
      createdMs: now,
      lastChangedMs: now,
      versions: [],
    };
    const description = optionalString(input, 'Description');
    if (description !== undefined) secret.description = description;
    const kmsKeyId = optionalString(input, 'KmsKeyId');
    if (kmsKeyId !== undefined) secret.kmsKeyId = kmsKeyId;
    const value = readValue(input, false);
    let version: SecretVersion | undefined;
    if (value) version = this.addVersion(secret, input, value, [CURRENT]);
    this.secrets.set(name, secret);
    this.revision++;
    return { ARN: secret.arn, Name: name, ...(version ? { VersionId: version.versionId } : {}) };
  }

  private getSecretValue(input: Input): Output {
    const secret = this.live(requireString(input, 'SecretId'));
    const version = this.pickVersion(secret, optionalString(input, 'VersionId'), optionalString(input, 'VersionStage'));
    // AWS records access per day, not per call.
    secret.lastAccessedMs = Math.floor(this.now() / DAY_MS) * DAY_MS;
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.versionId,
      ...(version.secretString !== undefined ? { SecretString: version.secretString } : {}),
      ...(version.secretBinary !== undefined ? { SecretBinary: version.secretBinary } : {}),
      VersionStages: [...version.stages],
      CreatedDate: seconds(version.createdMs),
    };
  }

  private putSecretValue(input: Input): Output {
    const secret = this.live(requireString(input, 'SecretId'));
    const value = readValue(input, true)!;
    const stages = readVersionStages(input) ?? [CURRENT];
    const version = this.addVersion(secret, input, value, stages);
    this.revision++;
    return { ARN: secret.arn, Name: secret.name, VersionId: version.versionId, VersionStages: [...version.stages] };
  }

  /** Metadata changes in place; a new value becomes a new AWSCURRENT version, as in AWS. */
  private updateSecret(input: Input): Output {
    const secret = this.live(requireString(input, 'SecretId'));
    const description = optionalString(input, 'Description');
    if (description !== undefined) secret.description = description;
    const kmsKeyId = optionalString(input, 'KmsKeyId');
    if (kmsKeyId !== undefined) secret.kmsKeyId = kmsKeyId;
    const value = readValue(input, false);
    const version = value ? this.addVersion(secret, input, value, [CURRENT]) : undefined;
    secret.lastChangedMs = this.now();
    this.revision++;
    return { ARN: secret.arn, Name: secret.name, ...(version ? { VersionId: version.versionId } : {}) };
  }

  private describeSecret(input: Input): Output {
    const secret = this.find(requireString(input, 'SecretId'));
    return { ...this.metadata(secret), VersionIdsToStages: versionsToStages(secret) };
  }

  private updateSecretVersionStage(input: Input): Output {
    const secret = this.live(requireString(input, 'SecretId'));
    const label = requireString(input, 'VersionStage');
    const removeFrom = optionalString(input, 'RemoveFromVersionId');
    const moveTo = optionalString(input, 'MoveToVersionId');
    const holder = secret.versions.find((v) => v.stages.includes(label));
    if (moveTo !== undefined) {
      const target = secret.versions.find((v) => v.versionId === moveTo);
      if (!target) throw resourceNotFound(`Secrets Manager can't find the specified secret version: ${moveTo}`);
      if (holder && holder !== target && removeFrom !== holder.versionId) {
        throw invalidParameter(
          `The parameter RemoveFromVersionId can't be empty. Staging label ${label} is currently attached to version ${holder.versionId}, so you must explicitly reference that version in RemoveFromVersionId.`,
        );
      }
      moveLabel(secret, label, target);
    } else if (removeFrom !== undefined) {
      if (holder?.versionId !== removeFrom) {
        throw invalidParameter(`The staging label ${label} is not attached to version ${removeFrom}.`);
      }
      if (label === CURRENT) throw invalidParameter(`You can't remove the staging label ${CURRENT}; move it to another version instead.`);
      holder.stages = holder.stages.filter((s) => s !== label);
    } else {
      throw invalidParameter('Specify MoveToVersionId, RemoveFromVersionId, or both.');
    }
    secret.lastChangedMs = this.now();
    this.revision++;
    return { ARN: secret.arn, Name: secret.name };
  }

  private listSecrets(input: Input): Output {
    const includeDeleted = input.IncludePlannedDeletion === true;
    const filters = readFilters(input);
    const order = optionalString(input, 'SortOrder') ?? 'desc';
    const all = [...this.secrets.values()]
      .filter((s) => !this.expire(s))
      .filter((s) => includeDeleted || s.deletionMs === undefined)
      .filter((s) => filters.every((f) => f.values.some((v) => matchesFilter(s, f.key, v))))
      .sort((a, b) => (order === 'asc' ? a.createdMs - b.createdMs : b.createdMs - a.createdMs) || a.name.localeCompare(b.name));
    const { page, nextToken } = paginate(all, input);
    return {
      SecretList: page.map((s) => ({ ...this.metadata(s), SecretVersionsToStages: versionsToStages(s) })),
      ...(nextToken ? { NextToken: nextToken } : {}),
    };
  }

  private listSecretVersionIds(input: Input): Output {
    const secret = this.find(requireString(input, 'SecretId'));
    const includeDeprecated = input.IncludeDeprecated === true;
    const versions = secret.versions.filter((v) => includeDeprecated || v.stages.length > 0);
    const { page, nextToken } = paginate([...versions].reverse(), input);
    return {
      ARN: secret.arn,
      Name: secret.name,
      Versions: page.map((v) => ({ VersionId: v.versionId, VersionStages: [...v.stages], CreatedDate: seconds(v.createdMs) })),
      ...(nextToken ? { NextToken: nextToken } : {}),
    };
  }

  private deleteSecret(input: Input): Output {
    const secret = this.find(requireString(input, 'SecretId'));
    const force = input.ForceDeleteWithoutRecovery === true;
    const windowDays = input.RecoveryWindowInDays;
    if (force && windowDays !== undefined) {
      throw invalidParameter("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
    }
    if (windowDays !== undefined && (typeof windowDays !== 'number' || windowDays < 7 || windowDays > 30)) {
      throw invalidParameter('RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
    }
    const now = this.now();
    if (force) {
      this.secrets.delete(secret.name);
    } else {
      if (secret.deletionMs !== undefined) {
        throw invalidRequest("You can't perform this operation on the secret because it was already scheduled for deletion.");
      }
      secret.deletedMs = now;
      secret.deletionMs = now + (windowDays ?? 30) * DAY_MS;
    }
    this.revision++;
    return { ARN: secret.arn, Name: secret.name, DeletionDate: seconds(force ? now : secret.deletionMs!) };
  }

  private restoreSecret(input: Input): Output {
    const secret = this.find(requireString(input, 'SecretId'));
    delete secret.deletionMs;
    delete secret.deletedMs;
    this.revision++;
    return { ARN: secret.arn, Name: secret.name };
  }

  private addVersion(secret: Secret, input: Input, value: Pick<SecretVersion, 'secretString' | 'secretBinary'>, stages: string[]): SecretVersion {
    const token = optionalString(input, 'ClientRequestToken');
    if (token !== undefined && (token.length < 32 || token.length > 64)) {
      throw invalidParameter('ClientRequestToken must be 32-64 characters long.');
    }
    const versionId = token ?? randomUUID();
    const existing = secret.versions.find((v) => v.versionId === versionId);
    if (existing) {
      // A retried request with the same token is idempotent; the same token with new data is not.
      if (existing.secretString === value.secretString && existing.secretBinary === value.secretBinary) return existing;
      throw resourceExists(`A version with ID ${versionId} already exists with a different value; versions are immutable.`);
    }
    const version: SecretVersion = { versionId, ...value, createdMs: this.now(), stages: [] };
    secret.versions.push(version);
    for (const stage of stages) moveLabel(secret, stage, version);
    secret.lastChangedMs = version.createdMs;
    pruneDeprecated(secret);
    return version;
  }

  private pickVersion(secret: Secret, versionId: string | undefined, stage: string | undefined): SecretVersion {
    if (versionId !== undefined) {
      const version = secret.versions.find((v) => v.versionId === versionId);
      if (!version || (stage !== undefined && !version.stages.includes(stage))) {
        throw resourceNotFound(`Secrets Manager can't find the specified secret value for VersionId: ${versionId}`);
      }
      return version;
    }
    const label = stage ?? CURRENT;
    const version = secret.versions.find((v) => v.stages.includes(label));
    if (!version) throw resourceNotFound(`Secrets Manager can't find the specified secret value for staging label: ${label}`);
    return version;
  }

  /** Resolves a name, a full ARN or a partial ARN (without the random suffix), like AWS. */
  private find(secretId: string): Secret {
    let secret = this.secrets.get(secretId);
    if (!secret && secretId.startsWith('arn:')) {
      secret = [...this.secrets.values()].find((s) => s.arn === secretId || s.arn.slice(0, -7) === secretId);
    }
    if (!secret || this.expire(secret)) throw resourceNotFound("Secrets Manager can't find the specified secret.");
    return secret;
  }

  /** A secret that can be read or changed: not scheduled for deletion. */
  private live(secretId: string): Secret {
    const secret = this.find(secretId);
    if (secret.deletionMs !== undefined) {
      throw invalidRequest("You can't perform this operation on the secret because it was marked for deletion.");
    }
    return secret;
  }

  /** Scheduled deletions happen lazily, when the secret is next looked at. */
  private expire(secret: Secret): boolean {
    if (secret.deletionMs === undefined || secret.deletionMs > this.now()) return false;
    this.secrets.delete(secret.name);
    this.revision++;
    return true;
  }

  private metadata(secret: Secret): Output {
    return {
      ARN: secret.arn,
      Name: secret.name,
      ...(secret.description !== undefined ? { Description: secret.description } : {}),
      ...(secret.kmsKeyId !== undefined ? { KmsKeyId: secret.kmsKeyId } : {}),
      CreatedDate: seconds(secret.createdMs),
      LastChangedDate: seconds(secret.lastChangedMs),
      ...(secret.lastAccessedMs !== undefined ? { LastAccessedDate: seconds(secret.lastAccessedMs) } : {}),
      ...(secret.deletedMs !== undefined ? { DeletedDate: seconds(secret.deletedMs) } : {}),
      ...(secret.tags.length > 0 ? { Tags: secret.tags } : {}),
    };
  }
}

const seconds = (ms: number): number => ms / 1000;

function arnSuffix(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(6)].map((b) => alphabet[b % alphabet.length]).join('');
}
