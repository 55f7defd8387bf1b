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
  resolveStageSettings(stage: string, declared: unknown, options?: { region?: string }): StageSettings;
  stageFilePath(stage: string, env?: Record<string, string | undefined>): string;
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
 * Reads and validates stages/<stage>.yml exactly as `sls package` does. Throws the module's
 * StageSettingsError (code ERR_STAGE_SETTINGS) listing every problem.
 */
export function loadStage(stage: string, env: Record<string, string | undefined> = process.env, options: { region?: string } = {}): LoadedStage {
  const file = settingsModule.stageFilePath(stage, env);
  const declared = existsSync(file);
  const raw = declared ? (parseCloudFormationYaml(readFileSync(file, 'utf8')) ?? null) : null;
  return { stage, file, declared, settings: settingsModule.resolveStageSettings(stage, raw, options) };
}
