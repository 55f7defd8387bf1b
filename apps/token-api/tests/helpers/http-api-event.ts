/**
 * An API Gateway HTTP API event, payload format 2.0, as AWS documents it
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html),
 * with the `authorizer.iam` block API Gateway adds on an AWS_IAM route.
 */
export interface HttpApiEventOptions {
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
  iam?: { userArn: string; accountId?: string; callerId?: string };
  isBase64Encoded?: boolean;
  rawQueryString?: string;
}

export function httpApiEvent(options: HttpApiEventOptions) {
  const accountId = options.iam?.accountId ?? '123456789012';
  return {
    version: '2.0',
    routeKey: `${options.method} ${options.path}`,
    rawPath: options.path,
    rawQueryString: options.rawQueryString ?? '',
    headers: {
      accept: '*/*',
      // the length of the body the client sent, not of its base64 form in the event
      'content-length': String(options.body === undefined ? 0 : Buffer.from(options.body, options.isBase64Encoded ? 'base64' : 'utf8').length),
      host: 'tok123.execute-api.eu-west-1.amazonaws.com',
      'user-agent': 'aws-sdk-js/3 roomgate-test',
      'x-amzn-trace-id': 'Root=1-65f00000-000000000000000000000000',
      'x-forwarded-for': '203.0.113.7',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
      ...(options.iam && {
        authorization: `AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20270115/eu-west-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
        'x-amz-date': '20270115T080000Z',
        'x-amz-security-token': 'IQoJb3JpZ2luX2VjEXAMPLE',
      }),
      ...options.headers,
    },
    requestContext: {
      accountId: '111122223333',
      apiId: 'tok123',
      ...(options.iam && {
        authorizer: {
          iam: {
            accessKey: 'ASIAEXAMPLE',
            accountId,
            callerId: options.iam.callerId ?? 'AROAEXAMPLEID:session-1',
            cognitoIdentity: null,
            principalOrgId: 'o-exampleorg',
            userArn: options.iam.userArn,
            userId: 'AROAEXAMPLEID:session-1',
          },
        },
      }),
      domainName: 'tok123.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'tok123',
      http: {
        method: options.method,
        path: options.path,
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.7',
        userAgent: 'aws-sdk-js/3 roomgate-test',
      },
      requestId: 'JKJaXmPLvHcESHA=',
      routeKey: `${options.method} ${options.path}`,
      stage: '$default',
      time: '15/Jan/2027:08:00:00 +0000',
      timeEpoch: 1_800_000_000_000,
    },
    ...(options.body !== undefined && { body: options.body }),
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
}

/** A minimal Lambda context object. */
export const lambdaContext = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'roomgate-token-api-test-api',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:roomgate-token-api-test-api',
  memoryLimitInMB: '512',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/roomgate-token-api-test-api',
  logStreamName: '2027/01/15/[$LATEST]abc',
  getRemainingTimeInMillis: () => 10_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
};
