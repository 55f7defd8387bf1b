import { describe, expect, it } from 'vitest';
import { createPresignGet } from '../../../../src/token/presign/presign-get.ts';
import { SUITE_CREDENTIALS, SUITE_DATE } from '../../../helpers/presign-fixtures.ts';
import { verifyPresignedUrl } from '../../../helpers/presign-sigv4-spec.ts';

/**
 * The AWS SigV4 test suite as kept by awslabs/aws-c-auth (tests/aws-signing-test-suite/v4), the
 * cases that have a query-signed (presigned) variant and a plain GET: `query-signed-request.txt`
 * with X-Amz-Expires=3600, region us-east-1, service "service", 2015-08-30T12:36:00Z.
 * (The suite's older revision signed without X-Amz-Expires; the current one includes it, as
 * every presigned URL must.)
 */
const VECTORS: Array<{ name: string; target: string; signature: string }> = [
  { name: 'get-vanilla-query', target: '/', signature: 'e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d' },
  { name: 'get-vanilla-empty-query-key', target: '/?Param1=value1', signature: '49096700cbbaa5753443850f40df10f904fc2fdb544dc9512203cc77c471a9de' },
  {
    name: 'get-vanilla-query-order-key-case',
    target: '/?Param2=value2&Param1=value1',
    signature: '86012e2c9ad4d77369f5d81c11f75158aae4f895a085212cc6d3f923d300bed5',
  },
  {
    name: 'get-vanilla-query-unreserved',
    target: '/?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
    signature: '8e76a88a7433637b12778d5592799b29ad21ecd6cf6325051c21d86f0acda2bf',
  },
  {
    name: 'get-unreserved',
    target: '/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
    signature: '95968482db1b9e0fadef6efc1bd24689f77c77d9ef56919c96a28cc92e0d6005',
  },
  { name: 'get-utf8', target: '/ሴ', signature: '10eae3f14a260bd3911cc6d008d3c576d143b05b62f09782a7a4b37f52178e44' },
  // Sorted by the *encoded* name (%E1… before X-Amz-…), as the spec says; an older revision of this
  // case sorted by raw bytes.
  { name: 'get-vanilla-utf8-query', target: '/?ሴ=bar', signature: '0bdd809b1519ac4f0c1dc3540e2cc46bd0c7f778eda408b2ebf3b913d21ff600' },
];

describe('SigV4 test-suite vectors, presigned GET (aws-c-auth v4 suite)', () => {
  const presign = createPresignGet({ service: 'service', region: 'us-east-1', credentials: async () => SUITE_CREDENTIALS });

  it.each(VECTORS)('$name: our signer reproduces the published signature', async ({ target, signature }) => {
    const url = await presign({ url: new URL(`https://example.amazonaws.com${target}`), signingDate: SUITE_DATE, expiresInSeconds: 3600 });
    const params = new URL(url).searchParams;
    expect(params.get('X-Amz-Credential')).toBe('AKIDEXAMPLE/20150830/us-east-1/service/aws4_request');
    expect(params.get('X-Amz-Date')).toBe('20150830T123600Z');
    expect(params.get('X-Amz-Expires')).toBe('3600');
    expect(params.get('X-Amz-SignedHeaders')).toBe('host');
    expect(params.get('X-Amz-Signature')).toBe(signature);
  });

  it.each(VECTORS)('$name: the from-spec verifier accepts the published URL', ({ target, signature }) => {
    const url = new URL(`https://example.amazonaws.com${target}`);
    for (const [name, value] of [
      ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
      ['X-Amz-Credential', 'AKIDEXAMPLE/20150830/us-east-1/service/aws4_request'],
      ['X-Amz-Date', '20150830T123600Z'],
      ['X-Amz-SignedHeaders', 'host'],
      ['X-Amz-Expires', '3600'],
      ['X-Amz-Signature', signature],
    ] as const) {
      url.searchParams.append(name, value);
    }
    expect(verifyPresignedUrl(url.toString(), { secretAccessKey: SUITE_CREDENTIALS.secretAccessKey }).valid).toBe(true);
  });

  it('get-vanilla-query-order-key-case: the verifier rebuilds the published canonical request and string to sign', () => {
    const url =
      'https://example.amazonaws.com/?Param2=value2&Param1=value1&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request' +
      '&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Signature=99fe619ddc7883a0738f7e90dc36a30badef2b551412ad283fd7338128bc73ac';
    // The suite's earlier revision (no X-Amz-Expires) publishes every intermediate step.
    const result = verifyPresignedUrl(url, { secretAccessKey: SUITE_CREDENTIALS.secretAccessKey });
    expect(result.canonicalRequest).toBe(
      'GET\n/\nParam1=value1&Param2=value2&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request' +
        '&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host\nhost:example.amazonaws.com\n\nhost\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(result.stringToSign).toBe(
      'AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\neb1512f5ed1470925b7b1072c2108953680032d6bc3ccbef8eb7c6fdf1639827',
    );
    expect(result.valid).toBe(true);
  });
});

describe('the presigned-URL example of "Authenticating Requests: Using Query Parameters" (S3 API reference)', () => {
  // docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html: GET /test.txt on
  // examplebucket, 2013-05-24T00:00:00Z, 86400 s, the documented example key pair.
  const secretAccessKey = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const url =
    'https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256' +
    '&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z' +
    '&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404';

  it('the from-spec verifier reproduces the documented signature (S3 signs UNSIGNED-PAYLOAD)', () => {
    const result = verifyPresignedUrl(url, { secretAccessKey, payloadHash: 'UNSIGNED-PAYLOAD' });
    expect(result.canonicalRequest).toBe(
      'GET\n/test.txt\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request' +
        '&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\nhost:examplebucket.s3.amazonaws.com\n\nhost\nUNSIGNED-PAYLOAD',
    );
    expect(result.valid).toBe(true);
  });

  it('and refuses it with any other secret or payload hash', () => {
    expect(verifyPresignedUrl(url, { secretAccessKey: secretAccessKey.replace('/', '+'), payloadHash: 'UNSIGNED-PAYLOAD' }).valid).toBe(false);
    expect(verifyPresignedUrl(url, { secretAccessKey }).valid).toBe(false);
  });
});
