import { RoomClientError, type StateChange } from '@roomgate/client';
import { describe, expect, it } from 'vitest';
import { describeRecovery, describeStatus } from '../../src/page/connection-status.ts';
import { TokenRequestError } from '../../src/page/token-source.ts';

const refusedByBackend = new RoomClientError('ERR_TOKEN_FETCH_FAILED', 'could not get a token: no', {
  retryable: false,
  cause: new TokenRequestError('ERR_ROOM_FORBIDDEN', 'this caller may not issue tokens for room "vip"', 403),
});
const backendDown = new RoomClientError('ERR_TOKEN_FETCH_FAILED', 'could not get a token: fetch failed', { cause: new TypeError('fetch failed') });
const expired = new RoomClientError('ERR_CONNECTION_LOST', 'connection closed by the server: token expired', {
  closeCode: 1005,
  cause: new RoomClientError('ERR_TOKEN_EXPIRED', 'token expired'),
});

describe('describeStatus', () => {
  it.each<[string, StateChange, string, string, RegExp | undefined]>([
    ['connecting', { state: 'connecting', previous: 'closed' }, 'connecting', 'Connecting…', undefined],
    ['open', { state: 'open', previous: 'connecting' }, 'open', 'Connected', undefined],
    ['closed by the user', { state: 'closed', previous: 'open' }, 'closed', 'Disconnected', undefined],
    [
      'refused handshake',
      {
        state: 'reconnecting',
        previous: 'connecting',
        error: new RoomClientError('ERR_CONNECT_REFUSED', 'x', { closeCode: 1006 }),
        retryInMs: 2_000,
        attempt: 2,
      },
      'refused',
      'Refused',
      /refused the connection.*retrying in 2 s/,
    ],
    [
      'token refused by the backend',
      { state: 'closed', previous: 'connecting', error: refusedByBackend },
      'refused',
      'Refused',
      /Token refused: this caller may not issue tokens for room "vip" \(ERR_ROOM_FORBIDDEN\)/,
    ],
    [
      'backend unreachable',
      { state: 'reconnecting', previous: 'connecting', error: backendDown, retryInMs: 500, attempt: 1 },
      'reconnecting',
      'Reconnecting…',
      /Could not get a token: fetch failed\. Retrying in 0\.5 s/,
    ],
    [
      'dropped after token expiry',
      { state: 'reconnecting', previous: 'open', error: expired, retryInMs: 300, attempt: 1 },
      'reconnecting',
      'Reconnecting…',
      /Connection dropped: token expired \(ERR_TOKEN_EXPIRED\)/,
    ],
    [
      'dropped by the network',
      { state: 'reconnecting', previous: 'open', error: new RoomClientError('ERR_CONNECTION_LOST', 'x', { closeCode: 1006 }), retryInMs: 300 },
      'reconnecting',
      'Reconnecting…',
      /close code 1006/,
    ],
    ['planned reconnect', { state: 'reconnecting', previous: 'open', retryInMs: 0, attempt: 0 }, 'reconnecting', 'Reconnecting…', /2-hour limit/],
    [
      'pong timeout',
      { state: 'reconnecting', previous: 'open', error: new RoomClientError('ERR_REQUEST_TIMEOUT', 'no reply to ping within 10000 ms'), retryInMs: 0 },
      'reconnecting',
      'Reconnecting…',
      /no reply to ping.*ERR_REQUEST_TIMEOUT.*now/,
    ],
  ])('%s', (_case, change, kind, label, notice) => {
    const status = describeStatus(change);
    expect(status.kind).toBe(kind);
    expect(status.label).toBe(label);
    if (notice) expect(status.notice?.text).toMatch(notice);
    else expect(status.notice).toBeUndefined();
  });
});

describe('describeRecovery', () => {
  it.each([
    ['full recovery: nothing to say', { roomId: 'r', recovered: true, replayed: 3, reconnect: true }, undefined],
    ['one message gone', { roomId: 'r', recovered: false, missed: { from: 4, to: 4 }, replayed: 0, reconnect: true }, /^Message #4 is no longer/],
    ['a range gone', { roomId: 'r', recovered: false, missed: { from: 4, to: 9 }, replayed: 2, reconnect: true }, /^6 messages \(#4–#9\) are no longer/],
    ['history reset', { roomId: 'r', recovered: false, replayed: 0, reconnect: true }, /^Earlier messages are no longer.*Reload/],
  ])('%s', (_case, event, text) => {
    const notice = describeRecovery(event);
    if (text === undefined) expect(notice).toBeUndefined();
    else expect(notice).toMatchObject({ tone: 'warn', text: expect.stringMatching(text) });
  });
});
