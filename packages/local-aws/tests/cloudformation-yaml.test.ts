import { describe, expect, it } from 'vitest';
import { parseCloudFormationYaml } from '../src/cloudformation-yaml.ts';

describe('parseCloudFormationYaml', () => {
  it.each([
    ['a: !Ref Table', { a: { Ref: 'Table' } }],
    ['a: !GetAtt Table.StreamArn', { a: { 'Fn::GetAtt': ['Table', 'StreamArn'] } }],
    ['a: !GetAtt [Table, Arn]', { a: { 'Fn::GetAtt': ['Table', 'Arn'] } }],
    ['a: !Sub "${AWS::StackName}-x"', { a: { 'Fn::Sub': '${AWS::StackName}-x' } }],
    ['a: !Join ["-", [a, !Ref B]]', { a: { 'Fn::Join': ['-', ['a', { Ref: 'B' }]] } }],
    ['a: !If [Cond, !Ref A, !Ref "AWS::NoValue"]', { a: { 'Fn::If': ['Cond', { Ref: 'A' }, { Ref: 'AWS::NoValue' }] } }],
    ['a: !Base64 {"Fn::Sub": x}', { a: { 'Fn::Base64': { 'Fn::Sub': 'x' } } }],
  ])('%s', (text, expected) => {
    expect(parseCloudFormationYaml(text)).toEqual(expected);
  });
});
