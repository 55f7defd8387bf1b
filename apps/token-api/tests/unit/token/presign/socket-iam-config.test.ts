import { describe, expect, it } from 'vitest';
import { ConfigError } from '@roomgate/shared/errors';
import { parseConfig } from '../../../../src/token/config.ts';

const base = { STAGE: 'prod', SOCKET_URL: 'wss://abc123defg.execute-api.eu-west-1.amazonaws.com/prod' };
const iam = { ...base, SOCKET_IAM_AUTH: 'true' };

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
};

describe('parseConfig: IAM mode (SOCKET_IAM_AUTH, SOCKET_PRESIGN_EXPIRES, SOCKET_REGION)', () => {
  it('is off by default', () => {
    expect(parseConfig(base).socketIam).toBeUndefined();
  });

  it('on: 10 s presigned URLs, region taken from the execute-api host', () => {
    expect(parseConfig(iam).socketIam).toEqual({
      target: { protocol: 'wss:', host: 'abc123defg.execute-api.eu-west-1.amazonaws.com', path: '/prod', apiId: 'abc123defg', hostRegion: 'eu-west-1' },
      region: 'eu-west-1',
      presignExpiresSeconds: 10,
    });
  });

  it('reads SOCKET_PRESIGN_EXPIRES and an explicit SOCKET_REGION', () => {
    expect(parseConfig({ ...iam, SOCKET_PRESIGN_EXPIRES: '60', SOCKET_REGION: 'eu-west-1' }).socketIam).toMatchObject({
      region: 'eu-west-1',
      presignExpiresSeconds: 60,
    });
  });

  it('a custom domain takes SOCKET_REGION, else AWS_REGION', () => {
    const custom = { ...iam, SOCKET_URL: 'wss://ws.example.com/' };
    expect(parseConfig({ ...custom, AWS_REGION: 'ap-northeast-1' }).socketIam).toMatchObject({
      region: 'ap-northeast-1',
      target: { host: 'ws.example.com', path: '/' },
    });
    expect(parseConfig({ ...custom, AWS_REGION: 'ap-northeast-1', SOCKET_REGION: 'eu-central-1' }).socketIam?.region).toBe('eu-central-1');
    expect(problemsOf(custom)).toEqual(['SOCKET_REGION is required when SOCKET_IAM_AUTH=true and neither SOCKET_URL nor AWS_REGION names a region']);
  });

  it.each([
    [{ SOCKET_PRESIGN_EXPIRES: '0' }, 'SOCKET_PRESIGN_EXPIRES must be >= 1'],
    [{ SOCKET_PRESIGN_EXPIRES: '301' }, 'SOCKET_PRESIGN_EXPIRES must be <= 300'],
    [{ SOCKET_PRESIGN_EXPIRES: '3600' }, 'SOCKET_PRESIGN_EXPIRES must be <= 300'],
    [{ SOCKET_PRESIGN_EXPIRES: '10s' }, 'SOCKET_PRESIGN_EXPIRES must be an integer, got "10s"'],
    [{ SOCKET_IAM_AUTH: 'maybe' }, 'SOCKET_IAM_AUTH must be true or false, got "maybe"'],
    [{ SOCKET_REGION: 'Europe' }, 'SOCKET_REGION must be an AWS region such as eu-west-1, got "Europe"'],
    [{ SOCKET_REGION: 'us-east-1' }, "SOCKET_REGION (us-east-1) differs from the region of SOCKET_URL's host (eu-west-1)"],
    [
      { SOCKET_URL: 'wss://abc123defg.execute-api.eu-west-1.amazonaws.com/prod?x=1' },
      'SOCKET_URL must have no query or fragment when presigned (SOCKET_IAM_AUTH=true)',
    ],
    [
      { SOCKET_URL: 'wss://abc123defg.execute-api.eu-west-1.amazonaws.com/$default' },
      'SOCKET_URL path must use only letters, digits, "-", ".", "_", "~" and "/" when presigned (SOCKET_IAM_AUTH=true)',
    ],
    [
      { SOCKET_URL: 'wss://abc123defg.execute-api.eu-west-1.amazonaws.com/a%20b' },
      'SOCKET_URL path must use only letters, digits, "-", ".", "_", "~" and "/" when presigned (SOCKET_IAM_AUTH=true)',
    ],
  ])('refuses %j', (over, problem) => {
    expect(problemsOf({ ...iam, ...over })).toContain(problem);
  });

  it('checks the values even while IAM mode is off', () => {
    expect(problemsOf({ ...base, SOCKET_PRESIGN_EXPIRES: '3600' })).toEqual(['SOCKET_PRESIGN_EXPIRES must be <= 300']);
  });

  it('a query string on SOCKET_URL stays allowed while IAM mode is off', () => {
    expect(parseConfig({ ...base, SOCKET_URL: `${base.SOCKET_URL}?v=1` }).socketUrl).toBe(`${base.SOCKET_URL}?v=1`);
  });
});
