import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseCloudFormationYaml } from '@roomgate/local-aws';

/** The repository root: stages/ and apps/ live there. */
export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

/** A stage's settings after validation and defaults (stages/settings.cjs documents each one). */
export interface StageSettings {
  region: string;
  callerAuth: 'iam' | 'api-key';
  iamCallers: Record<string, string[]>;
  socketIamAuth: boolean;
  socketPresignExpires: number;
  socketUrl: string | null;
  tokenIssuer: string;
  tokenAudience: string;
  tokenDefaultTtl: number;
  tokenMaxTtl: number;
  historyTtlSeconds: number;
  historyMaxMessages: number;
  allowLegacyTokens: boolean;
  requireIssAud: boolean;
  clockToleranceSeconds: number;
  logLevel: string;
  logRetentionInDays: number;
  accessLogs: boolean;
  throttle: Record<'socket' | 'tokenApi', { rateLimit: number; burstLimit: number }>;
  reservedConcurrency: Record<string, number | null>;
}

interface SettingsModule {
  resolveStageSettings(stage: string, declared: unknown, options?: { region?: string; text?: string }): StageSettings;
  stageFilePath(stage: string, env?: Record<string, string | undefined>): string;
  stageWarnings(settings: StageSettings): string[];
  partitionOf(region: string): string | undefined;
}

// The one implementation both serverless.yml files load (CommonJS, no TypeScript loader there).
const settingsModule = createRequire(import.meta.url)(join(REPO_ROOT, 'stages', 'settings.cjs')) as SettingsModule;

/** Where the settings came from, and what they are. */
export interface LoadedStage {
  stage: string;
  file: string;
  /** false: the stage has no file and runs on the defaults */
  declared: boolean;
  settings: StageSettings;
}

/**
 * Reads and validates stages/<stage>.yml exactly as `sls package` does (`${…}` variables and the
 * devstack's stage `local` refused). Throws the module's StageSettingsError (code
 * ERR_STAGE_SETTINGS) listing every problem.
 */
export function loadStage(stage: string, env: Record<string, string | undefined> = process.env, options: { region?: string } = {}): LoadedStage {
  const file = settingsModule.stageFilePath(stage, env);
  const declared = existsSync(file);
  const text = declared ? readFileSync(file, 'utf8') : undefined;
  const raw = text === undefined ? null : (parseCloudFormationYaml(text) ?? null);
  const settings = settingsModule.resolveStageSettings(stage, raw, { ...options, ...(text !== undefined && { text }) });
  return { stage, file, declared, settings };
}

/** Valid settings a deployer must still hear about (an empty iamCallers refuses every caller). */
export function stageWarnings(settings: StageSettings): string[] {
  return settingsModule.stageWarnings(settings);
}

/** The ARN partition of a known region (`aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, …); the stage settings' one table. */
export function regionPartition(region: string): string | undefined {
  return settingsModule.partitionOf(region);
}
