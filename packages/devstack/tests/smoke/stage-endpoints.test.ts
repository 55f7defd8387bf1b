import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveStageEndpoints } from '../../src/smoke/stage-endpoints.ts';
import { describeStacksXml, fakeClientConfig, stackMissingXml, startFakeAwsQuery, type QueryAnswer } from '../helpers/fake-aws-query.ts';

const TOKEN_API_OUTPUTS = { HttpApiId: 'abc123defg', HttpApiUrl: 'https://abc123defg.execute-api.eu-west-1.amazonaws.com/' };
const SOCKET_OUTPUTS = { WebsocketApiId: 'ws12345678', WebsocketUrl: 'wss://ws12345678.execute-api.eu-west-1.amazonaws.com/prod', ConnectionsTableName: 't' };

let close: (() => Promise<void>) | undefined;
afterEach(() => close?.());

async function resolveWith(answers: Record<string, QueryAnswer>) {
  const fake = await startFakeAwsQuery((params) => answers[params.StackName!] ?? stackMissingXml(params.StackName!));
  close = fake.close;
  const client = new CloudFormationClient({ ...fakeClientConfig(fake.endpoint), region: 'eu-west-1' });
  try {
    return { result: await resolveStageEndpoints(client, 'prod').catch((error: unknown) => error), seen: fake.seen };
  } finally {
    client.destroy();
  }
}

describe('resolveStageEndpoints (CloudFormation DescribeStacks through the real SDK against a fake endpoint)', () => {
  it("reads both stacks' outputs, named roomgate-<service>-<stage>, in the client's region", async () => {
    const { result, seen } = await resolveWith({
      'roomgate-token-api-prod': describeStacksXml('roomgate-token-api-prod', TOKEN_API_OUTPUTS),
      'roomgate-socket-prod': describeStacksXml('roomgate-socket-prod', SOCKET_OUTPUTS),
    });
    expect(result).toEqual({
      tokenApiUrl: 'https://abc123defg.execute-api.eu-west-1.amazonaws.com',
      httpApiId: 'abc123defg',
      socketUrl: 'wss://ws12345678.execute-api.eu-west-1.amazonaws.com/prod',
      websocketApiId: 'ws12345678',
    });
    expect(seen.map((r) => [r.params.Action, r.params.StackName]).sort()).toEqual([
      ['DescribeStacks', 'roomgate-socket-prod'],
      ['DescribeStacks', 'roomgate-token-api-prod'],
    ]);
    expect(seen.every((r) => r.credentialScope.includes('/eu-west-1/cloudformation/'))).toBe(true);
  });

  it('a stack that is not deployed is ERR_STACK_NOT_FOUND naming it', async () => {
    const { result } = await resolveWith({ 'roomgate-token-api-prod': describeStacksXml('roomgate-token-api-prod', TOKEN_API_OUTPUTS) });
    expect(result).toMatchObject({ code: 'ERR_STACK_NOT_FOUND', message: expect.stringContaining('roomgate-socket-prod does not exist') });
  });

  it('a missing output is ERR_STACK_OUTPUT_MISSING naming the stack and the output', async () => {
    const { result } = await resolveWith({
      'roomgate-token-api-prod': describeStacksXml('roomgate-token-api-prod', { HttpApiId: 'abc123defg' }),
      'roomgate-socket-prod': describeStacksXml('roomgate-socket-prod', SOCKET_OUTPUTS),
    });
    expect(result).toMatchObject({ code: 'ERR_STACK_OUTPUT_MISSING', message: expect.stringContaining('roomgate-token-api-prod has no HttpApiUrl output') });
  });

  it('any other failure is ERR_AWS_UNAVAILABLE with the SDK error as cause', async () => {
    const { result } = await resolveWith({
      'roomgate-token-api-prod': {
        status: 403,
        xml: '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not allowed</Message></Error></ErrorResponse>',
      },
      'roomgate-socket-prod': describeStacksXml('roomgate-socket-prod', SOCKET_OUTPUTS),
    });
    expect(result).toMatchObject({
      code: 'ERR_AWS_UNAVAILABLE',
      message: expect.stringContaining('AccessDenied: not allowed'),
      cause: { name: 'AccessDenied' },
    });
  });
});
