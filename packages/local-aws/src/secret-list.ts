// ListSecrets: prefix filters and opaque NextToken pagination, as the real API behaves.
import { AwsServiceError, invalidParameter } from './aws-service-error.ts';
import type { Secret } from './secret-model.ts';
import { optionalString, optionalStringList, requireString, type Input } from './secret-input.ts';

export interface Filter {
  key: string;
  values: string[];
}

export function readFilters(input: Input): Filter[] {
  const filters = input.Filters;
  if (filters === undefined) return [];
  if (!Array.isArray(filters)) throw invalidParameter('Filters must be a list.');
  return filters.map((f: Input) => ({ key: requireString(f, 'Key'), values: optionalStringList(f, 'Values') ?? [] }));
}

/** ListSecrets filters are prefix matches. */
export function matchesFilter(secret: Secret, key: string, value: string): boolean {
  const name = secret.name.startsWith(value);
  const description = (secret.description ?? '').startsWith(value);
  const tagKey = secret.tags.some((t) => t.Key.startsWith(value));
  const tagValue = secret.tags.some((t) => t.Value.startsWith(value));
  switch (key) {
    case 'name':
      return name;
    case 'description':
      return description;
    case 'tag-key':
      return tagKey;
    case 'tag-value':
      return tagValue;
    case 'all':
      return name || description || tagKey || tagValue;
    default:
      throw invalidParameter(`Unsupported filter key: ${key}`);
  }
}

export function paginate<T>(items: T[], input: Input): { page: T[]; nextToken?: string } {
  const max = input.MaxResults ?? 100;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 100) {
    throw invalidParameter('MaxResults must be an integer between 1 and 100.');
  }
  const token = optionalString(input, 'NextToken');
  const start = token === undefined ? 0 : Number.parseInt(Buffer.from(token, 'base64url').toString(), 10);
  if (!Number.isInteger(start) || start < 0) throw new AwsServiceError('InvalidNextTokenException', 'The NextToken value is invalid.');
  const page = items.slice(start, start + max);
  const next = start + max < items.length ? Buffer.from(String(start + max)).toString('base64url') : undefined;
  return next ? { page, nextToken: next } : { page };
}
