import { randomBytes } from 'node:crypto';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/** The AWS SigV4 test suite's credentials (aws-c-auth tests/aws-signing-test-suite/v4/<case>/context.json). */
export const SUITE_CREDENTIALS: AwsCredentialIdentity = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
export const SUITE_DATE = new Date('2015-08-30T12:36:00Z');

/**
 * A session token shaped like the ones STS hands a Lambda role (`IQoJb3JpZ2luX2Vj…`, base64 with
 * `+`, `/` and `=`). Real ones are ~1,000–1,300 characters; STS documents no maximum (session
 * policies and tags make them longer), which is why the URL length is checked at all.
 */
export function stsLikeSessionToken(length: number): string {
  const prefix = 'IQoJb3JpZ2luX2VjE';
  let body = '';
  // Deterministic enough for lengths, random enough that the value is not guessable in a fixture.
  while (body.length < length) body += randomBytes(64).toString('base64').replace(/=+$/, '');
  // Guarantee the characters that need percent-encoding occur.
  return `${prefix}+/${body}`.slice(0, length - 2) + '==';
}

export function temporaryCredentials(sessionTokenLength = 1_200, expiration?: Date): AwsCredentialIdentity {
  return {
    accessKeyId: 'ASIAZ7EXAMPLE4TEST5Q',
    secretAccessKey: 'k2Wm9b7Vq0Zx3Lr8Tn5Yp1Hs6Dj4Fg2Ck0EXAMPLE',
    sessionToken: stsLikeSessionToken(sessionTokenLength),
    ...(expiration && { expiration }),
  };
}

/** A provider that counts how often it is asked, like a credential chain that would call STS/IMDS. */
export function countingProvider(identities: () => AwsCredentialIdentity | Promise<AwsCredentialIdentity>): AwsCredentialIdentityProvider & { calls: number } {
  const provider = Object.assign(
    async () => {
      provider.calls += 1;
      return identities();
    },
    { calls: 0 },
  );
  return provider;
}
