import { ConfigError } from '../errors.ts';
import { createJsonLogger } from './logger.ts';

type Env = Record<string, string | undefined>;

/**
 * Reads environment variables and collects every problem before throwing, so one failed cold
 * start names all bad variables at once. Order: explicit value in `env` → default → problem.
 */
export class EnvReader {
  readonly #env: Env;
  readonly #problems: string[] = [];

  constructor(env: Env) {
    this.#env = env;
  }

  string(name: string, options: { default?: string; pattern?: RegExp; hint?: string } = {}): string {
    const raw = this.#raw(name);
    if (raw === undefined) {
      if (options.default !== undefined) return options.default;
      this.#problems.push(`${name} is required`);
      return '';
    }
    if (options.pattern && !options.pattern.test(raw)) {
      this.#problems.push(`${name} must match ${options.hint ?? options.pattern.source}`);
    }
    return raw;
  }

  optionalString(name: string): string | undefined {
    return this.#raw(name);
  }

  int(name: string, options: { default?: number; min?: number; max?: number } = {}): number {
    const raw = this.#raw(name);
    if (raw === undefined) {
      if (options.default !== undefined) return options.default;
      this.#problems.push(`${name} is required`);
      return 0;
    }
    const value = Number(raw);
    if (!Number.isInteger(value)) {
      this.#problems.push(`${name} must be an integer, got ${JSON.stringify(raw)}`);
      return 0;
    }
    if (options.min !== undefined && value < options.min) this.#problems.push(`${name} must be >= ${options.min}`);
    if (options.max !== undefined && value > options.max) this.#problems.push(`${name} must be <= ${options.max}`);
    return value;
  }

  bool(name: string, options: { default: boolean }): boolean {
    const raw = this.#raw(name);
    if (raw === undefined) return options.default;
    if (/^(true|1|yes)$/i.test(raw)) return true;
    if (/^(false|0|no)$/i.test(raw)) return false;
    this.#problems.push(`${name} must be true or false, got ${JSON.stringify(raw)}`);
    return options.default;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], options: { default?: T } = {}): T {
    const raw = this.#raw(name);
    if (raw === undefined) {
      if (options.default !== undefined) return options.default;
      this.#problems.push(`${name} is required (one of ${allowed.join(', ')})`);
      return allowed[0] as T;
    }
    if (!(allowed as readonly string[]).includes(raw)) {
      this.#problems.push(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
      return allowed[0] as T;
    }
    return raw as T;
  }

  json<T>(name: string, validate: (value: unknown) => string | undefined, options: { default?: T } = {}): T {
    const raw = this.#raw(name);
    if (raw === undefined) {
      if (options.default !== undefined) return options.default;
      this.#problems.push(`${name} is required`);
      return undefined as T;
    }
    try {
      const value: unknown = JSON.parse(raw);
      const problem = validate(value);
      if (problem) this.#problems.push(`${name}: ${problem}`);
      return value as T;
    } catch {
      this.#problems.push(`${name} must be JSON`);
      return undefined as T;
    }
  }

  url(name: string, options: { default?: string; protocols?: string[] } = {}): string {
    const value = this.string(name, options.default === undefined ? {} : { default: options.default });
    if (value === '') return value;
    try {
      const url = new URL(value);
      if (options.protocols && !options.protocols.includes(url.protocol)) {
        this.#problems.push(`${name} must use ${options.protocols.join(' or ')}`);
      }
    } catch {
      this.#problems.push(`${name} must be a URL, got ${JSON.stringify(value)}`);
    }
    return value;
  }

  /** Throws ConfigError naming every problem found so far. */
  done(): void {
    if (this.#problems.length > 0) throw new ConfigError([...this.#problems]);
  }

  #raw(name: string): string | undefined {
    const value = this.#env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }
}

/**
 * A Lambda entry's configuration: `parse()`, or, when it throws, one `fatal` line in the function's
 * log shape (`base`: `service` and the like) naming every bad variable, then the same error, so the
 * init fails: a misconfigured stage must not serve. `what` names the configuration in that line
 * ("socket configuration is invalid").
 */
export function configOrFail<T>(parse: () => T, what: string, base: Record<string, unknown>): T {
  try {
    return parse();
  } catch (error) {
    createJsonLogger({ base }).fatal(`${what} configuration is invalid`, { error: error as Error });
    throw error;
  }
}
