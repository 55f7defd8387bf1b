import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A folder holding `<stage>.yml` with these settings (JSON is YAML), and the variable that points
 * stages/settings.cjs at it: tests declare a stage's settings the way a deployer does, in a file.
 */
export function stageFilesEnv(stage: string, settings: Record<string, unknown>): { ROOMGATE_STAGES_DIR: string } {
  const dir = mkdtempSync(join(tmpdir(), 'roomgate-stages-'));
  writeFileSync(join(dir, `${stage}.yml`), JSON.stringify(settings));
  return { ROOMGATE_STAGES_DIR: dir };
}
