import { createServer, type Server } from 'node:http';

/** One request the fake received: the query-protocol parameters and the SigV4 credential scope. */
export interface SeenRequest {
  params: Record<string, string>;
  /** `<key>/<date>/<region>/<service>/aws4_request` from the Authorization header */
  credentialScope: string;
}

export type QueryAnswer = { status: number; xml: string };

/**
 * A local endpoint speaking the AWS query protocol (CloudFormation, STS): the real SDK clients
 * send their real requests to it and parse its XML answers. Only what no local AWS emulator
 * serves is faked here: DescribeStacks and GetCallerIdentity.
 */
export async function startFakeAwsQuery(
  answer: (params: Record<string, string>) => QueryAnswer,
): Promise<{ endpoint: string; seen: SeenRequest[]; close(): Promise<void> }> {
  const seen: SeenRequest[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const params = Object.fromEntries(new URLSearchParams(body));
      const credentialScope = /Credential=([^,]+)/.exec(request.headers.authorization ?? '')?.[1] ?? '';
      seen.push({ params, credentialScope });
      const { status, xml } = answer(params);
      response.writeHead(status, { 'content-type': 'text/xml' }).end(xml);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A DescribeStacks answer for one stack with these outputs. */
export function describeStacksXml(stackName: string, outputs: Record<string, string>): QueryAnswer {
  const members = Object.entries(outputs)
    .map(([key, value]) => `<member><OutputKey>${key}</OutputKey><OutputValue>${value}</OutputValue></member>`)
    .join('');
  return {
    status: 200,
    xml: `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member><StackName>${stackName}</StackName><StackId>arn:aws:cloudformation:eu-west-1:123456789012:stack/${stackName}/1</StackId><StackStatus>UPDATE_COMPLETE</StackStatus><CreationTime>2027-01-15T08:00:00Z</CreationTime><Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></DescribeStacksResponse>`,
  };
}

/** CloudFormation's answer for a stack that does not exist. */
export function stackMissingXml(stackName: string): QueryAnswer {
  return {
    status: 400,
    xml: `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${stackName} does not exist</Message></Error><RequestId>r2</RequestId></ErrorResponse>`,
  };
}

export function callerIdentityXml(account: string): QueryAnswer {
  return {
    status: 200,
    xml: `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::${account}:user/deployer</Arn><UserId>AIDAEXAMPLE</UserId><Account>${account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r3</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
  };
}

/** Client config for the fake: its endpoint, static credentials, and one attempt (no retry waits in tests). */
export const fakeClientConfig = (endpoint: string) => ({ endpoint, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' }, maxAttempts: 1 });
