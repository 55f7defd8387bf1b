import type { ClientFrame as SharedClientFrame, ServerFrame as SharedServerFrame } from '@roomgate/shared/frames';
import { describe, expectTypeOf, it } from 'vitest';
import type { ClientFrame, ServerFrame } from '../../src/index.ts';

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
