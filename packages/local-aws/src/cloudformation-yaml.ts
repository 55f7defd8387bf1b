import { parse, type CollectionTag, type ScalarTag, type YAMLMap, type YAMLSeq } from 'yaml';

/** Short-form intrinsic functions; each becomes its long form (`!Ref X` → `{Ref: 'X'}`). */
const INTRINSICS = [
  'Ref',
  'Condition',
  'GetAtt',
  'Sub',
  'Join',
  'Select',
  'Split',
  'FindInMap',
  'ImportValue',
  'Base64',
  'GetAZs',
  'Cidr',
  'If',
  'Equals',
  'Not',
  'And',
  'Or',
  'Length',
  'ToJsonString',
] as const;

const longName = (name: string): string => (name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`);

/**
 * The tags are only kept, never evaluated: local-aws reads the parts of a template that are plain
 * data (key schemas, indexes) and the Serverless Framework resolves the rest at deploy time.
 */
const tags: (ScalarTag | CollectionTag)[] = INTRINSICS.flatMap((name) => {
  const key = longName(name);
  const scalar: ScalarTag = {
    tag: `!${name}`,
    // `!GetAtt Table.Arn` is the dotted short form of `Fn::GetAtt: [Table, Arn]`.
    resolve: (value: string) => ({ [key]: name === 'GetAtt' ? splitOnce(value) : value }),
  };
  const seq: CollectionTag = { tag: `!${name}`, collection: 'seq', resolve: (node) => ({ [key]: (node as YAMLSeq).toJSON() }) };
  const map: CollectionTag = { tag: `!${name}`, collection: 'map', resolve: (node) => ({ [key]: (node as YAMLMap).toJSON() }) };
  return [scalar, seq, map];
});

/** Parses a CloudFormation YAML fragment, tolerating `!Ref`, `!GetAtt`, `!Sub` and the other short tags. */
export function parseCloudFormationYaml(text: string): unknown {
  return parse(text, { customTags: tags });
}

function splitOnce(value: string): string[] {
  const dot = value.indexOf('.');
  return dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)];
}
