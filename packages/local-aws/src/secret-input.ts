import { invalidParameter } from './aws-service-error.ts';
import type { SecretVersion, Tag } from './secret-model.ts';

/** A parsed awsJson request body. */
export type Input = Record<string, unknown>;

export function requireString(input: Input, field: string): string {
  const value = input[field];
  if (typeof value !== 'string' || value === '') throw invalidParameter(`${field} is required and must be a non-empty string.`);
  return value;
}

export function optionalString(input: Input, field: string): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParameter(`${field} must be a string.`);
  return value;
}

export function optionalStringList(input: Input, field: string): string[] | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw invalidParameter(`${field} must be a list of strings.`);
  return value;
}

/** Staging labels: 1-20 distinct non-empty strings of at most 256 characters. */
export function readVersionStages(input: Input): string[] | undefined {
  const stages = optionalStringList(input, 'VersionStages');
  if (stages === undefined) return undefined;
  if (stages.length < 1 || stages.length > 20 || stages.some((s) => s.length < 1 || s.length > 256) || new Set(stages).size !== stages.length) {
    throw invalidParameter('VersionStages must hold 1-20 distinct labels of 1-256 characters.');
  }
  return stages;
}

export function readValue(input: Input, required: boolean): Pick<SecretVersion, 'secretString' | 'secretBinary'> | undefined {
  const secretString = optionalString(input, 'SecretString');
  const secretBinary = optionalString(input, 'SecretBinary');
  if (secretString !== undefined && secretBinary !== undefined) {
    throw invalidParameter("You can't specify both a binary secret value and a string secret value in the same secret.");
  }
  if (secretString !== undefined) return { secretString };
  if (secretBinary !== undefined) return { secretBinary };
  if (required) throw invalidParameter('You must provide either SecretString or SecretBinary.');
  return undefined;
}

export function readTags(input: Input): Tag[] {
  const tags = input.Tags;
  if (tags === undefined) return [];
  if (!Array.isArray(tags) || !tags.every((t) => typeof t?.Key === 'string' && typeof (t?.Value ?? '') === 'string')) {
    throw invalidParameter('Tags must be a list of {Key, Value} strings.');
  }
  return tags.map((t: { Key: string; Value?: string }) => ({ Key: t.Key, Value: t.Value ?? '' }));
}
