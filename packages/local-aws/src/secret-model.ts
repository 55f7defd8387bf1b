/** How the emulator stores a secret; also the shape of the persisted snapshot. */
export const CURRENT = 'AWSCURRENT';
export const PREVIOUS = 'AWSPREVIOUS';
/** AWS keeps about 100 versions; unlabeled (deprecated) ones beyond that are dropped oldest first. */
export const MAX_VERSIONS = 100;

export interface Tag {
  Key: string;
  Value: string;
}

export interface SecretVersion {
  versionId: string;
  secretString?: string;
  /** base64, exactly as it travels in awsJson */
  secretBinary?: string;
  createdMs: number;
  stages: string[];
}

export interface Secret {
  arn: string;
  name: string;
  description?: string;
  kmsKeyId?: string;
  tags: Tag[];
  createdMs: number;
  lastChangedMs: number;
  lastAccessedMs?: number;
  /** set while the secret is scheduled for deletion */
  deletionMs?: number;
  deletedMs?: number;
  versions: SecretVersion[];
}

/** Moving AWSCURRENT hands AWSPREVIOUS to the version that was current, as AWS does. */
export function moveLabel(secret: Secret, label: string, to: SecretVersion): void {
  const from = secret.versions.find((v) => v.stages.includes(label));
  if (from === to) return;
  if (from) from.stages = from.stages.filter((s) => s !== label);
  to.stages.push(label);
  if (label === CURRENT && from) moveLabel(secret, PREVIOUS, from);
}

export function pruneDeprecated(secret: Secret): void {
  while (secret.versions.length > MAX_VERSIONS) {
    const index = secret.versions.findIndex((v) => v.stages.length === 0);
    if (index < 0) return;
    secret.versions.splice(index, 1);
  }
}

export function versionsToStages(secret: Secret): Record<string, string[]> {
  return Object.fromEntries(secret.versions.filter((v) => v.stages.length > 0).map((v) => [v.versionId, [...v.stages]]));
}
