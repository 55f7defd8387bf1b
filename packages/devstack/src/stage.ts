import { STAGE_PATTERN } from '@roomgate/protocol/ids';
import { DevstackError } from './errors.ts';

// One rule for the CLI and the deployed functions' STAGE check (see @roomgate/protocol/ids).
export { STAGE_PATTERN };

export function assertStage(stage: string): string {
  if (!STAGE_PATTERN.test(stage)) {
    throw new DevstackError(
      'ERR_STAGE_INVALID',
      `invalid stage ${JSON.stringify(stage)}: use 1-32 characters of a-z, 0-9 and -, starting with a letter or digit`,
    );
  }
  return stage;
}
