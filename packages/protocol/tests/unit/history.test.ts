import { describe, expect, it } from 'vitest';
import { isHistoryReply } from '../../src/history.ts';

const reply = (messages: unknown[]) => ({ type: 'history', roomId: 'r', epoch: 'E1', lastSeq: 3, messages, more: false, recovered: true });
const message = { type: 'message', roomId: 'r', seq: 1, epoch: 'E1', data: 'a', sentAt: 1 };
const skip = { type: 'skip', roomId: 'r', seq: 2, epoch: 'E1' };

describe('isHistoryReply', () => {
  it('accepts message frames and skip entries with their positions', () => {
    expect(isHistoryReply(reply([]))).toBe(true);
    expect(isHistoryReply(reply([message, skip]))).toBe(true);
  });

  it.each([
    ['a skip without seq', { type: 'skip', roomId: 'r', epoch: 'E1' }],
    ['a skip without epoch', { type: 'skip', roomId: 'r', seq: 2 }],
    ['a skip without roomId', { type: 'skip', seq: 2, epoch: 'E1' }],
    ['a skip with a fractional seq', { ...skip, seq: 2.5 }],
    ['a message without seq', { ...message, seq: undefined }],
    ['another entry type', { ...skip, type: 'gap' }],
    ['null', null],
  ])('refuses a reply holding %s', (_name, entry) => {
    expect(isHistoryReply(reply([message, entry]))).toBe(false);
  });
});
