import { describe, expect, it } from 'vitest';
import { readHandshake } from '../../src/handshake.ts';

const ctx = { connectionId: 'c' };

describe('readHandshake', () => {
  it('takes the token from the roomgate.token.<jwt> subprotocol, header names in any case', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyIn0.c2ln';
    expect(readHandshake({ requestContext: ctx, headers: { 'sec-websocket-protocol': `roomgate.v1,roomgate.token.${jwt}` } })).toEqual({
      token: jwt,
      tokenSource: 'subprotocol',
      subprotocol: 'roomgate.v1',
      requestedRoom: undefined,
    });
  });

  it('echoes roomgate.v1 when offered alongside others', () => {
    const h = readHandshake({
      requestContext: ctx,
      headers: { 'Sec-WebSocket-Protocol': 'chat, roomgate.v1' },
      queryStringParameters: { token: 't', room: 'r' },
    });
    expect(h).toEqual({ token: 't', tokenSource: 'query', subprotocol: 'roomgate.v1', requestedRoom: 'r' });
  });

  it('treats an empty token as missing', () => {
    expect(
      readHandshake({ requestContext: ctx, headers: { 'Sec-WebSocket-Protocol': 'roomgate.v1, roomgate.token.' }, queryStringParameters: { token: '' } }).token,
    ).toBeUndefined();
  });
});
