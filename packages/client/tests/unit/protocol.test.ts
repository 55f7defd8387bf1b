import type { ClientFrame as SharedClientFrame, ServerFrame as SharedServerFrame } from '@roomgate/shared/frames';
import { describe, expectTypeOf, it } from 'vitest';
import type {
  ClientFrame as AllClientFrames,
  HistoryErrorCode,
  HistoryReplyFrame,
  HistoryRequestFrame,
  ServerErrorCode,
  ServerFrame as AllServerFrames,
} from '../../src/index.ts';

// The history frames (issue 13) are not in `@roomgate/shared/frames` yet; they join the
// comparison when both sides take them from `@roomgate/protocol`.
type ClientFrame = Exclude<AllClientFrames, HistoryRequestFrame>;
type ErrorFrame = Extract<AllServerFrames, { type: 'error' }>;
type ServerFrame =
  | Exclude<AllServerFrames, HistoryReplyFrame | ErrorFrame>
  | (Omit<ErrorFrame, 'code'> & { code: Exclude<ServerErrorCode, HistoryErrorCode> });

// The client keeps its own copy of the wire types so browser bundles never import the server
// package; `tsc` (the typecheck task) fails here the day the two drift apart.
describe('protocol types', () => {
  it('match @roomgate/shared/frames', () => {
    expectTypeOf<SharedClientFrame>().toExtend<ClientFrame>();
    expectTypeOf<ClientFrame>().toExtend<SharedClientFrame>();
    expectTypeOf<SharedServerFrame>().toExtend<ServerFrame>();
    expectTypeOf<ServerFrame>().toExtend<SharedServerFrame>();
  });
});
