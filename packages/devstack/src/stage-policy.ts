import { createHash } from 'node:crypto';
import { stackNamesOf } from './smoke/stage-endpoints.ts';
import { regionPartition } from './stage-settings.ts';

/** Stand-ins printed when the account or the HTTP API id cannot be resolved: replace them before use. */
export const ACCOUNT_PLACEHOLDER = '<account-id>';
export const HTTP_API_ID_PLACEHOLDER = '<http-api-id>';

/** An IAM identity policy document (IAM User Guide, "IAM JSON policy elements"). */
export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string>>;
}

/** Where the policy applies: the stage, its region and partition, the account, the token API's HTTP API id. */
export interface PolicyScope {
  stage: string;
  region: string;
  /** 12 digits, or ACCOUNT_PLACEHOLDER */
  account: string;
  /** the token API stack's HttpApiId output, or HTTP_API_ID_PLACEHOLDER */
  httpApiId: string;
  /** the stage's accessLogs setting: access logs need CloudWatch Logs delivery rights */
  accessLogs: boolean;
}

/**
 * The ARN partition of a region (`aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, …), from the stage
 * settings' table of partitions (stages/settings.cjs), which refuses a region it does not know.
 * Throws a TypeError for such a region: settings are validated before a policy is built.
 */
export function partitionOf(region: string): string {
  const partition = regionPartition(region);
  if (partition === undefined) throw new TypeError(`no AWS partition is known for region ${JSON.stringify(region)}`);
  return partition;
}

/**
 * The name the framework (osls, lib/plugins/aws/custom-resources/index.js) gives the Lambda
 * function of one of its custom resources: `<service>-<stage>-<name>`, or, past Lambda's 64
 * characters, its first 32 characters followed by the MD5 hex digest of the whole name.
 */
export function customResourceFunctionName(stack: string, name: string): string {
  const full = `${stack}-${name}`;
  return full.length > 64 ? `${full.slice(0, 32)}${createHash('md5').update(full).digest('hex')}` : full;
}

/** The framework's custom resource that sets the account's API Gateway CloudWatch role (WebSocket access logs). */
export const APIGW_CLOUDWATCH_ROLE_RESOURCE = 'custom-resource-apigw-cw-role';

/**
 * What a backend role needs to call the stage's token API and Rooms API with SigV4:
 * `execute-api:Invoke` on the HTTP API's routes (`arn:<partition>:execute-api:<region>:<account>:
 * <api-id>/<stage>/<METHOD>/<path>`; an HTTP API's auto-deployed stage is `$default`). IAM only
 * lets it in; `iamCallers` in the stage file decides which rooms (both are needed).
 */
export function callerPolicy(scope: PolicyScope): PolicyDocument {
  const api = `arn:${partitionOf(scope.region)}:execute-api:${scope.region}:${scope.account}:${scope.httpApiId}/$default`;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'RoomgateTokensAndRooms',
        Effect: 'Allow',
        Action: ['execute-api:Invoke'],
        Resource: [`${api}/POST/v1/tokens`, `${api}/*/v1/rooms/*`, `${api}/POST/v1/revocations`],
      },
    ],
  };
}

/**
 * What the deployer of `pnpm stage deploy|remove` and `pnpm keys` needs for this stage, scoped
 * to the stage's names where the service allows it: stacks, functions, roles, tables, log groups,
 * deployment buckets and secrets all carry `roomgate-<service>-<stage>` or `roomgate/<stage>/`.
 * Left wider because AWS offers nothing narrower: API Gateway (API ids are generated, so the
 * region's `/apis`), `cloudformation:ValidateTemplate` and the CloudWatch Logs delivery actions
 * of access logs (no resource-level permissions).
 */
export function deployerPolicy(scope: PolicyScope): PolicyDocument {
  const partition = partitionOf(scope.region);
  const { region, account, stage } = scope;
  const stacks = Object.values(stackNamesOf(stage));
  const arn = (service: string, resource: string, where = `${region}:${account}`) => `arn:${partition}:${service}:${where}:${resource}`;
  const statements: PolicyStatement[] = [
    {
      Sid: 'CloudFormationStacks',
      Effect: 'Allow',
      Action: [
        'cloudformation:CreateStack',
        'cloudformation:UpdateStack',
        'cloudformation:DeleteStack',
        'cloudformation:DescribeStacks',
        'cloudformation:DescribeStackEvents',
        'cloudformation:DescribeStackResource',
        'cloudformation:DescribeStackResources',
        'cloudformation:ListStackResources',
        'cloudformation:GetTemplate',
        'cloudformation:CreateChangeSet',
        'cloudformation:DescribeChangeSet',
        'cloudformation:ExecuteChangeSet',
        'cloudformation:DeleteChangeSet',
      ],
      Resource: stacks.map((name) => arn('cloudformation', `stack/${name}/*`)),
    },
    { Sid: 'CloudFormationValidate', Effect: 'Allow', Action: ['cloudformation:ValidateTemplate'], Resource: ['*'] },
    {
      Sid: 'DeploymentBuckets',
      Effect: 'Allow',
      Action: [
        's3:CreateBucket',
        's3:DeleteBucket',
        's3:ListBucket',
        's3:GetBucketLocation',
        's3:GetBucketPolicy',
        's3:PutBucketPolicy',
        's3:DeleteBucketPolicy',
        's3:GetEncryptionConfiguration',
        's3:PutEncryptionConfiguration',
        's3:PutBucketPublicAccessBlock',
        's3:PutBucketTagging',
        's3:GetObject',
        's3:PutObject',
        's3:DeleteObject',
      ],
      // CloudFormation names each stack's ServerlessDeploymentBucket <stack name>-<logical id, cut>-<random>.
      Resource: stacks.flatMap((name) => [`arn:${partition}:s3:::${name}-*`, `arn:${partition}:s3:::${name}-*/*`]),
    },
    {
      Sid: 'LambdaFunctions',
      Effect: 'Allow',
      Action: [
        'lambda:CreateFunction',
        'lambda:DeleteFunction',
        'lambda:GetFunction',
        'lambda:GetFunctionConfiguration',
        'lambda:UpdateFunctionCode',
        'lambda:UpdateFunctionConfiguration',
        'lambda:PublishVersion',
        'lambda:ListVersionsByFunction',
        'lambda:AddPermission',
        'lambda:RemovePermission',
        'lambda:PutFunctionConcurrency',
        'lambda:DeleteFunctionConcurrency',
        'lambda:TagResource',
        'lambda:UntagResource',
        'lambda:ListTags',
      ],
      Resource: [
        ...stacks.map((name) => arn('lambda', `function:${name}-*`)),
        // With access logs the socket stack carries the framework's CloudWatch-role custom resource,
        // whose function name is shortened past 64 characters and then matches no prefix above.
        ...(scope.accessLogs ? [customResourceFunctionName(stackNamesOf(stage).socket, APIGW_CLOUDWATCH_ROLE_RESOURCE)] : [])
          .filter((name) => !stacks.some((stack) => name.startsWith(`${stack}-`)))
          .map((name) => arn('lambda', `function:${name}`)),
      ],
    },
    {
      Sid: 'FunctionRoles',
      Effect: 'Allow',
      Action: [
        'iam:CreateRole',
        'iam:DeleteRole',
        'iam:GetRole',
        'iam:UpdateAssumeRolePolicy',
        'iam:PutRolePolicy',
        'iam:GetRolePolicy',
        'iam:DeleteRolePolicy',
        'iam:ListRolePolicies',
        'iam:AttachRolePolicy',
        'iam:DetachRolePolicy',
        'iam:ListAttachedRolePolicies',
        'iam:TagRole',
        'iam:UntagRole',
      ],
      Resource: stacks.map((name) => arn('iam', `role/${name}-*`, `:${account}`)),
    },
    {
      Sid: 'PassFunctionRolesToLambda',
      Effect: 'Allow',
      Action: ['iam:PassRole'],
      Resource: stacks.map((name) => arn('iam', `role/${name}-*`, `:${account}`)),
      Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
    },
    {
      Sid: 'ApiGateway',
      Effect: 'Allow',
      Action: [
        'apigateway:GET',
        'apigateway:POST',
        'apigateway:PUT',
        'apigateway:PATCH',
        'apigateway:DELETE',
        'apigateway:TagResource',
        'apigateway:UntagResource',
      ],
      // API ids are generated by API Gateway: no name to scope by.
      Resource: [
        `arn:${partition}:apigateway:${region}::/apis`,
        `arn:${partition}:apigateway:${region}::/apis/*`,
        `arn:${partition}:apigateway:${region}::/tags/*`,
      ],
    },
    {
      Sid: 'DynamoDbTables',
      Effect: 'Allow',
      Action: [
        'dynamodb:CreateTable',
        'dynamodb:DeleteTable',
        'dynamodb:DescribeTable',
        'dynamodb:UpdateTable',
        'dynamodb:DescribeTimeToLive',
        'dynamodb:UpdateTimeToLive',
        'dynamodb:TagResource',
        'dynamodb:UntagResource',
        'dynamodb:ListTagsOfResource',
      ],
      // No TableName in the templates: CloudFormation generates <stack name>-<logical id>-<random>.
      Resource: stacks.flatMap((name) => [arn('dynamodb', `table/${name}-*`), arn('dynamodb', `table/${name}-*/index/*`)]),
    },
    {
      Sid: 'EventBus',
      Effect: 'Allow',
      Action: ['events:CreateEventBus', 'events:DeleteEventBus', 'events:DescribeEventBus', 'events:TagResource', 'events:UntagResource'],
      Resource: [arn('events', `event-bus/roomgate-${stage}`)],
    },
    {
      Sid: 'LogGroups',
      Effect: 'Allow',
      Action: [
        'logs:CreateLogGroup',
        'logs:DeleteLogGroup',
        'logs:PutRetentionPolicy',
        'logs:DeleteRetentionPolicy',
        'logs:TagResource',
        'logs:UntagResource',
        'logs:ListTagsForResource',
      ],
      Resource: [
        ...stacks.map((name) => arn('logs', `log-group:/aws/lambda/${name}-*`)),
        arn('logs', `log-group:/aws/http-api/${stacks[1]}`),
        arn('logs', `log-group:/aws/websocket/${stacks[0]}`),
      ],
    },
    // CloudFormation lists log groups to find whether one exists; DescribeLogGroups has no resource scope.
    { Sid: 'LogGroupsDescribe', Effect: 'Allow', Action: ['logs:DescribeLogGroups'], Resource: ['*'] },
    {
      Sid: 'StageSecrets',
      Effect: 'Allow',
      Action: [
        'secretsmanager:CreateSecret',
        'secretsmanager:PutSecretValue',
        'secretsmanager:GetSecretValue',
        'secretsmanager:DescribeSecret',
        'secretsmanager:DeleteSecret',
        'secretsmanager:RestoreSecret',
      ],
      // Secrets Manager appends "-" and six random characters to a secret's ARN.
      Resource: [arn('secretsmanager', `secret:roomgate/${stage}/*`)],
    },
  ];
  if (scope.accessLogs) {
    statements.push({
      Sid: 'AccessLogDelivery',
      Effect: 'Allow',
      // What API Gateway's access logging asks of the caller who turns it on; none of these take a resource.
      Action: [
        'logs:CreateLogDelivery',
        'logs:GetLogDelivery',
        'logs:UpdateLogDelivery',
        'logs:DeleteLogDelivery',
        'logs:ListLogDeliveries',
        'logs:PutResourcePolicy',
        'logs:DescribeResourcePolicies',
      ],
      Resource: ['*'],
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}
