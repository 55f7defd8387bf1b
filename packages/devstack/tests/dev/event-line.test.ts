import { describe, expect, it } from 'vitest';
import { formatEventLine } from '../../src/dev/event-line.ts';

describe('formatEventLine (pnpm dev --events)', () => {
  it('prints the detail-type, then the detail as one line of JSON', () => {
    const line = formatEventLine({
      detailType: 'roomgate.connection.closed',
      detail: { stage: 'local', roomId: 'lobby', userId: 'bob', reason: 'disconnect', at: 1 },
    });
    expect(line).toBe('roomgate.connection.closed {"stage":"local","roomId":"lobby","userId":"bob","reason":"disconnect","at":1}');
    expect(line).not.toContain('\n');
  });
});
