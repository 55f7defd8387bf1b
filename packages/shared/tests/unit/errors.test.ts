import { FrameError } from '@roomgate/protocol/errors';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  ConnectionGoneError,
  ConnectionExistsError,
  DeliveryFailedError,
  HistoryDisabledError,
  KeyMalformedError,
  KeyUnavailableError,
  RoomgateError,
  StoreUnavailableError,
  TokenExpiredError,
  UndeliveredPublishError,
  toPublicError,
} from '../../src/errors.ts';

const UNAVAILABLE = 'service temporarily unavailable, retry';
const internal = { code: 'ERR_INTERNAL', message: 'internal error', class: 'internal', retryable: false };

describe('toPublicError: what a client may see (issue 12)', () => {
  it.each([
    ['an expired token', new TokenExpiredError(), { code: 'ERR_TOKEN_EXPIRED', message: 'token has expired', class: 'client', retryable: false }],
    [
      'a replayed $connect',
      new ConnectionExistsError(),
      { code: 'ERR_CONNECTION_EXISTS', message: 'connection is already registered', class: 'client', retryable: false },
    ],
    [
      'history off',
      new HistoryDisabledError(),
      { code: 'ERR_HISTORY_DISABLED', message: 'history is turned off on this stage', class: 'client', retryable: false },
    ],
    [
      'a refused frame',
      new FrameError('ERR_MESSAGE_TOO_LARGE', 'frame is 40000 bytes'),
      { code: 'ERR_MESSAGE_TOO_LARGE', message: 'frame is 40000 bytes', class: 'client', retryable: false },
    ],
  ])('%s: its own code and message (4xx)', (_name, error, expected) => {
    expect(toPublicError(error)).toEqual(expected);
  });

  it.each([
    ['keys down', new KeyUnavailableError('secret roomgate/dev/public-keys could not be read'), 'ERR_KEY_UNAVAILABLE'],
    ['a missing keys secret', new RoomgateError('ERR_KEY_NOT_FOUND', 'secret roomgate/dev/public-keys does not exist'), 'ERR_KEY_UNAVAILABLE'],
    ['a malformed keys secret', new KeyMalformedError('JWKS key 2 has no kid'), 'ERR_KEY_UNAVAILABLE'],
    ['the store down', new StoreUnavailableError('connection store query failed'), 'ERR_STORE_UNAVAILABLE'],
    ['a publish stored but not delivered', new UndeliveredPublishError({ epoch: 'e', seq: 1 }, new Error('x')), 'ERR_STORE_UNAVAILABLE'],
  ])('%s: a retryable outage with a fixed message (503)', (_name, error, code) => {
    expect(toPublicError(error)).toEqual({ code, message: UNAVAILABLE, class: 'unavailable', retryable: true });
  });

  it.each([
    ['a plain Error', new Error('socket hang up at 10.0.3.7:443')],
    ['a thrown string', 'boom'],
    ['a bad stage configuration', new ConfigError(['ROOMGATE_TABLE is required'])],
    ['a failed delivery', new DeliveryFailedError('conn-1', { httpStatusCode: 500 })],
    ['a gone connection', new ConnectionGoneError('conn-1')],
  ])('%s: ERR_INTERNAL, nothing of the error (500)', (_name, error) => {
    expect(toPublicError(error)).toEqual(internal);
  });
});
