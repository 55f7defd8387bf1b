import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertValidTemplate, readPackagedTemplate, validateTemplate } from '../src/cloudformation-spec.ts';

const arn = (suffix: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, suffix]] });

/**
 * Valid for CloudFormation today, with properties newer than the spec `cfn-lint` ships on npm
 * (`LoggingConfig` and `RecursiveLoop` of Lambda, 2023–2024; `OnDemandThroughput` of DynamoDB, 2024),
 * every intrinsic form the packaged templates use, and the framework's custom resource.
 */
function goodTemplate(): Record<string, unknown> {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'known good',
    Resources: {
      Role: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] }],
          },
          Policies: [{ PolicyName: 'p', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['logs:*'], Resource: arn(':*') }] } }],
        },
      },
      Logs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/aws/lambda/f', RetentionInDays: 14 }, DeletionPolicy: 'Retain' },
      Fn: {
        Type: 'AWS::Lambda::Function',
        DependsOn: ['Logs'],
        Properties: {
          Code: { S3Bucket: 'bucket', S3Key: 'f.zip' },
          Handler: 'src/lambda/connect.handler',
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          MemorySize: '512',
          Timeout: 10,
          Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
          LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: 'Logs' } },
          RecursiveLoop: 'Terminate',
          ReservedConcurrentExecutions: 20,
          Environment: { Variables: { TABLE: { 'Fn::ImportValue': 'other-stack-TableName' }, SOCKET: { 'Fn::Sub': 'wss://${AWS::Region}' }, FLAG: true } },
        },
      },
      Table: {
        Type: 'AWS::DynamoDB::Table',
        Properties: {
          BillingMode: 'PAY_PER_REQUEST',
          OnDemandThroughput: { MaxReadRequestUnits: 100 },
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: 'true' },
          Tags: [{ Key: 'app', Value: 'roomgate' }],
        },
      },
      AccountRole: { Type: 'Custom::ApiGatewayAccountRole', Version: '1.0', Properties: { ServiceToken: { 'Fn::GetAtt': ['Fn', 'Arn'] }, AnyKey: 1 } },
    },
    Outputs: {
      TableArn: { Value: { 'Fn::GetAtt': 'Table.Arn' }, Export: { Name: { 'Fn::Join': ['-', [{ Ref: 'AWS::StackName' }, 'TableArn']] } } },
    },
  };
}

const REMOVE = Symbol('remove');

/** Sets (or with REMOVE deletes) the value at `keys` inside the template. */
function spoil(template: Record<string, unknown>, keys: Array<string | number>, value: unknown): void {
  const parent = keys.slice(0, -1).reduce<Record<string | number, unknown>>((node, key) => node[key] as Record<string | number, unknown>, template);
  const last = keys.at(-1)!;
  if (value === REMOVE) delete parent[last];
  else parent[last] = value;
}

describe('validateTemplate against the CloudFormation resource specification', () => {
  it('accepts a known-good template', () => {
    expect(validateTemplate(goodTemplate())).toEqual([]);
  });

  it.each<[string, Array<string | number>, unknown, { path: string; message: RegExp }]>([
    [
      'an unknown property',
      ['Resources', 'Fn', 'Properties', 'Memorysize'],
      512,
      { path: 'Resources.Fn.Properties.Memorysize', message: /AWS::Lambda::Function has no property Memorysize/ },
    ],
    [
      'an unknown property of a nested type',
      ['Resources', 'Fn', 'Properties', 'Environment', 'Vars'],
      {},
      { path: 'Resources.Fn.Properties.Environment.Vars', message: /Environment has no property Vars/ },
    ],
    [
      'a missing required property',
      ['Resources', 'Role', 'Properties', 'AssumeRolePolicyDocument'],
      REMOVE,
      { path: 'Resources.Role.Properties.AssumeRolePolicyDocument', message: /requires property AssumeRolePolicyDocument/ },
    ],
    [
      'a missing required property of a nested type',
      ['Resources', 'Table', 'Properties', 'AttributeDefinitions', 0, 'AttributeType'],
      REMOVE,
      { path: 'Resources.Table.Properties.AttributeDefinitions[0].AttributeType', message: /AttributeDefinition requires property AttributeType/ },
    ],
    [
      'a string where an integer belongs',
      ['Resources', 'Fn', 'Properties', 'Timeout'],
      'ten',
      { path: 'Resources.Fn.Properties.Timeout', message: /expected an integer, got string "ten"/ },
    ],
    [
      'a string where a list belongs',
      ['Resources', 'Fn', 'Properties', 'Architectures'],
      'arm64',
      { path: 'Resources.Fn.Properties.Architectures', message: /expected a list/ },
    ],
    [
      'an object where a string belongs',
      ['Resources', 'Fn', 'Properties', 'Handler'],
      { file: 'x' },
      { path: 'Resources.Fn.Properties.Handler', message: /expected a string, got an object/ },
    ],
    [
      'a boolean property given a word',
      ['Resources', 'Table', 'Properties', 'TimeToLiveSpecification', 'Enabled'],
      'yes',
      { path: 'Resources.Table.Properties.TimeToLiveSpecification.Enabled', message: /expected a boolean/ },
    ],
    [
      'a value outside the allowed ones',
      ['Resources', 'Logs', 'Properties', 'RetentionInDays'],
      15,
      { path: 'Resources.Logs.Properties.RetentionInDays', message: /15 is not one of 1, 3, 5, 7, 14/ },
    ],
    [
      'a string value outside the allowed ones',
      ['Resources', 'Fn', 'Properties', 'RecursiveLoop'],
      'Stop',
      { path: 'Resources.Fn.Properties.RecursiveLoop', message: /"Stop" is not one of Allow, Terminate/ },
    ],
    [
      'an unknown resource type',
      ['Resources', 'Logs', 'Type'],
      'AWS::Logs::LogGroups',
      { path: 'Resources.Logs.Type', message: /unknown resource type AWS::Logs::LogGroups/ },
    ],
    [
      'an unknown intrinsic function',
      ['Resources', 'Fn', 'Properties', 'Handler'],
      { 'Fn::Concat': ['a', 'b'] },
      { path: 'Resources.Fn.Properties.Handler', message: /unknown intrinsic function Fn::Concat/ },
    ],
    [
      'a Ref to nothing',
      ['Resources', 'Fn', 'Properties', 'LoggingConfig', 'LogGroup'],
      { Ref: 'LogGroup' },
      { path: 'Resources.Fn.Properties.LoggingConfig.LogGroup', message: /Ref to LogGroup, which is not a resource/ },
    ],
    [
      'an attribute the resource type does not have',
      ['Resources', 'Fn', 'Properties', 'Role'],
      { 'Fn::GetAtt': ['Role', 'Name'] },
      { path: 'Resources.Fn.Properties.Role', message: /AWS::IAM::Role has no attribute Name \(it has Arn, RoleId\)/ },
    ],
    [
      'an import that depends on a resource',
      ['Resources', 'Fn', 'Properties', 'Environment', 'Variables', 'TABLE'],
      { 'Fn::ImportValue': { 'Fn::Join': ['-', [{ Ref: 'Table' }, 'x']] } },
      { path: 'Resources.Fn.Properties.Environment.Variables.TABLE.Fn::ImportValue.Fn::Join[1][0]', message: /depends on resource Table/ },
    ],
    [
      'an export name that depends on a resource',
      ['Outputs', 'TableArn', 'Export', 'Name'],
      { 'Fn::GetAtt': ['Table', 'Arn'] },
      { path: 'Outputs.TableArn.Export.Name', message: /depends on resource Table/ },
    ],
    ['a DependsOn on nothing', ['Resources', 'Fn', 'DependsOn'], ['Log'], { path: 'Resources.Fn.DependsOn', message: /"Log" is not a resource/ }],
    [
      'a custom resource without ServiceToken',
      ['Resources', 'AccountRole', 'Properties', 'ServiceToken'],
      REMOVE,
      { path: 'Resources.AccountRole.Properties.ServiceToken', message: /requires property ServiceToken/ },
    ],
    ['an unknown resource attribute', ['Resources', 'Fn', 'Version'], '1.0', { path: 'Resources.Fn.Version', message: /unknown resource attribute Version/ }],
    ['an unknown section', ['Output'], {}, { path: 'Output', message: /unknown template section Output/ }],
  ])('refuses %s', (_, keys, value, expected) => {
    const template = goodTemplate();
    spoil(template, keys, value);
    const problems = validateTemplate(template);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path).toBe(expected.path);
    expect(problems[0]!.message).toMatch(expected.message);
  });

  it('assertValidTemplate throws ERR_TEMPLATE_INVALID listing every problem with its path', () => {
    const template = goodTemplate();
    spoil(template, ['Resources', 'Fn', 'Properties', 'Timeout'], 'ten');
    spoil(template, ['Resources', 'Role', 'Properties', 'AssumeRolePolicyDocument'], REMOVE);
    expect(() => assertValidTemplate(template, 'variant x')).toThrow(
      expect.objectContaining({
        code: 'ERR_TEMPLATE_INVALID',
        message: expect.stringMatching(
          /^variant x is not a valid CloudFormation template[^]*Resources\.Role\.Properties\.AssumeRolePolicyDocument[^]*Resources\.Fn\.Properties\.Timeout/,
        ),
      }),
    );
    expect(() => assertValidTemplate(goodTemplate(), 'good')).not.toThrow();
  });
});

describe('readPackagedTemplate', () => {
  it('reads the update-stack template of a package folder and refuses it when invalid, naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'roomgate-packaged-'));
    try {
      writeFileSync(join(dir, 'cloudformation-template-create-stack.json'), JSON.stringify({ Resources: { Bucket: { Type: 'AWS::S3::Bucket' } } }));
      writeFileSync(join(dir, 'cloudformation-template-update-stack.json'), JSON.stringify(goodTemplate()));
      expect(readPackagedTemplate(dir)).toEqual(goodTemplate());
      const bad = goodTemplate();
      spoil(bad, ['Resources', 'Fn', 'Properties', 'Timeout'], 'ten');
      writeFileSync(join(dir, 'cloudformation-template-update-stack.json'), JSON.stringify(bad));
      expect(() => readPackagedTemplate(dir)).toThrow(
        /cloudformation-template-update-stack\.json is not a valid CloudFormation template[^]*Timeout: expected an integer/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
