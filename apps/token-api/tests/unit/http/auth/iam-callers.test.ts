import { describe, expect, it } from 'vitest';
import { iamIdentityFromEvent, normalisePrincipalArn, parseIamCallers } from '../../../../src/http/auth/iam-callers.ts';
import { httpApiEvent } from '../../../helpers/http-api-event.ts';

describe('normalisePrincipalArn', () => {
  it.each([
    ['arn:aws:sts::123456789012:assumed-role/chat-backend/i-0abc123', 'arn:aws:iam::123456789012:role/chat-backend'],
    ['arn:aws:sts::123456789012:assumed-role/chat-backend/user@example.com', 'arn:aws:iam::123456789012:role/chat-backend'],
    ['arn:aws:iam::123456789012:role/chat-backend', 'arn:aws:iam::123456789012:role/chat-backend'],
    ['arn:aws:iam::123456789012:role/service-role/team/chat-backend', 'arn:aws:iam::123456789012:role/chat-backend'],
    ['arn:aws-cn:sts::123456789012:assumed-role/r/s1', 'arn:aws-cn:iam::123456789012:role/r'],
    ['arn:aws-us-gov:iam::123456789012:role/r', 'arn:aws-us-gov:iam::123456789012:role/r'],
    ['arn:aws:iam::123456789012:user/ci', 'arn:aws:iam::123456789012:user/ci'],
    ['arn:aws:iam::123456789012:user/division/ci', 'arn:aws:iam::123456789012:user/division/ci'],
  ])('%s → %s', (arn, expected) => {
    expect(normalisePrincipalArn(arn)).toBe(expected);
  });

  it.each([
    'arn:aws:iam::123456789012:root',
    'arn:aws:sts::123456789012:federated-user/bob',
    'arn:aws:iam::12345678901:role/short-account',
    'arn:aws:sts::123456789012:assumed-role/r',
    'arn:aws:iam::123456789012:role/',
    'arn:aws:iam::123456789012:group/admins',
    'chat-backend',
    'offlineContext_userArn',
    'arn:aws:iam::123456789012:role/r\n',
  ])('%j is not a mappable principal', (arn) => {
    expect(normalisePrincipalArn(arn)).toBeUndefined();
  });
});

describe('parseIamCallers', () => {
  it('keys the map by normalised principal', () => {
    const map = parseIamCallers({
      'arn:aws:iam::123456789012:role/path/chat': ['chat-*', 'lobby'],
      'arn:aws:iam::123456789012:user/ci': ['*'],
    });
    expect([...map.keys()]).toEqual(['arn:aws:iam::123456789012:role/chat', 'arn:aws:iam::123456789012:user/ci']);
    expect(map.get('arn:aws:iam::123456789012:role/chat')?.map((p) => p.source)).toEqual(['chat-*', 'lobby']);
  });
});

describe('iamIdentityFromEvent', () => {
  it('reads requestContext.authorizer.iam of an HTTP API v2 event', () => {
    const event = httpApiEvent({ method: 'POST', path: '/v1/tokens', iam: { userArn: 'arn:aws:sts::123456789012:assumed-role/r/s' } });
    expect(iamIdentityFromEvent(event)).toEqual({
      userArn: 'arn:aws:sts::123456789012:assumed-role/r/s',
      accountId: '123456789012',
      callerId: 'AROAEXAMPLEID:session-1',
    });
  });

  it.each([
    ['no authorizer', httpApiEvent({ method: 'POST', path: '/v1/tokens' })],
    ['a JWT authorizer', { requestContext: { authorizer: { jwt: { claims: { sub: 'x' } } } } }],
    ['REST API identity (payload 1.0)', { requestContext: { identity: { userArn: 'arn:aws:iam::123456789012:user/u' } } }],
    ['empty userArn', { requestContext: { authorizer: { iam: { userArn: '' } } } }],
    ['undefined', undefined],
    ['null', null],
  ])('%s → undefined', (_name, event) => {
    expect(iamIdentityFromEvent(event)).toBeUndefined();
  });
});
