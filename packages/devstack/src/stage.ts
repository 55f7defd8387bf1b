import { DevstackError } from './errors.ts';

/** Stage names end up in secret names, table names and CloudFormation stacks: keep them boring. */
export const STAGE_PATTERN = /^[a-z0-9-]{1,32}$/;

export function assertStage(stage: string): string {
  if (!STAGE_PATTERN.test(stage)) {
    throw new DevstackError('ERR_STAGE_INVALID', `invalid stage ${JSON.stringify(stage)}: use 1-32 characters of a-z, 0-9 and -`);
  }
  return stage;
}
