import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { LocalAwsError } from './errors.ts';

/**
 * The CloudFormation resource specification as `@aws-cdk/aws-service-spec` ships it: every
 * resource type's registry schema (the same source CloudFormation validates against), rebuilt and
 * published weekly by the CDK team. Read from its `db.json.gz` directly (the package's own loader
 * reads the same file and adds indexes we do not need, at three times the load time).
 * `cfn-lint` from npm is not used: its bundled spec is years old and flags valid properties.
 */
type SpecType =
  | { type: 'string'; allowedValues?: string[] }
  | { type: 'integer' | 'number'; allowedValues?: number[] }
  | { type: 'boolean' | 'json' | 'date-time' | 'tag' | 'null' }
  | { type: 'ref'; reference: { $ref: string } }
  | { type: 'array' | 'map'; element: SpecType }
  | { type: 'union'; types: SpecType[] };

interface SpecProperty {
  type: SpecType;
  required?: boolean;
}

interface SpecShape {
  properties: Record<string, SpecProperty>;
}

interface SpecResource extends SpecShape {
  cloudFormationType: string;
  attributes: Record<string, unknown>;
}

interface Spec {
  resources: Map<string, SpecResource>;
  types: Map<string, SpecTypeDefinition>;
}

interface SpecTypeDefinition extends SpecShape {
  $id: string;
  name: string;
}

let loaded: Spec | undefined;

function spec(): Spec {
  if (loaded) return loaded;
  const file = createRequire(import.meta.url).resolve('@aws-cdk/aws-service-spec/db.json.gz');
  const db = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as {
    schema?: { resource?: { entities?: Record<string, SpecResource> }; typeDefinition?: { entities?: Record<string, SpecTypeDefinition> } };
  };
  const resources = db.schema?.resource?.entities;
  const types = db.schema?.typeDefinition?.entities;
  // The file's layout is the package's, not a published format: fail loudly if an upgrade changes it.
  if (!resources || !types) throw new Error(`${file} has no schema.resource / schema.typeDefinition: the @aws-cdk/aws-service-spec layout changed`);
  loaded = {
    resources: new Map(Object.values(resources).map((r) => [r.cloudFormationType, r])),
    types: new Map(Object.values(types).map((t) => [t.$id, t])),
  };
  return loaded;
}

/** One thing CloudFormation would refuse, with where it is (`Resources.Api.Properties.Timeout`). */
export interface TemplateProblem {
  path: string;
  message: string;
}

/** Template sections CloudFormation knows (template anatomy, AWS CloudFormation User Guide). */
const SECTIONS = new Set([
  'AWSTemplateFormatVersion',
  'Description',
  'Metadata',
  'Parameters',
  'Rules',
  'Mappings',
  'Conditions',
  'Transform',
  'Resources',
  'Outputs',
]);
/** Resource attributes besides `Type` and `Properties` (resource attribute reference). */
const RESOURCE_KEYS = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'Condition',
  'Metadata',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'CreationPolicy',
  'UpdatePolicy',
]);
const OUTPUT_KEYS = new Set(['Description', 'Value', 'Export', 'Condition']);
const POLICIES = new Set(['Delete', 'Retain', 'Snapshot', 'RetainExceptOnCreate']);
/** Intrinsic functions allowed in place of a property value (intrinsic function reference). */
const INTRINSICS = new Set([
  'Ref',
  'Fn::GetAtt',
  'Fn::Join',
  'Fn::Sub',
  'Fn::ImportValue',
  'Fn::If',
  'Fn::Select',
  'Fn::Split',
  'Fn::FindInMap',
  'Fn::Base64',
  'Fn::Cidr',
  'Fn::GetAZs',
  'Fn::Length',
  'Fn::ToJsonString',
  'Fn::Transform',
]);
const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Template = {
  Resources?: Record<string, { Type?: unknown; Properties?: Record<string, Json>; DependsOn?: unknown; Condition?: unknown } & Record<string, unknown>>;
  Parameters?: Record<string, unknown>;
  Conditions?: Record<string, unknown>;
  Outputs?: Record<string, Record<string, Json>>;
} & Record<string, unknown>;

const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
const intrinsicName = (v: unknown): string | undefined => {
  if (!isObject(v)) return undefined;
  const keys = Object.keys(v);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::')) ? keys[0] : undefined;
};
const isCustomType = (type: string) => type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';

/**
 * Checks a CloudFormation template (JSON, long-form intrinsics, as `sls package` writes it) against
 * the resource specification: every resource type exists; every property exists for its type and
 * every required one is present; values have the spec's type (string, integer, number, boolean,
 * array, map, nested property types) and, where the spec lists them, one of its allowed values.
 * Like CloudFormation, a number or boolean is accepted for a string and a numeric string for a
 * number. An intrinsic function may stand for any value; its name must be a known one, and
 * `Ref`, `Fn::GetAtt` (including the attribute, for spec types), `DependsOn` and `Condition` must
 * name something the template declares. `Fn::ImportValue` and an output's export name must not
 * depend on a resource (CloudFormation refuses both). Returns every problem found, none if valid.
 */
export function validateTemplate(input: unknown): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const problem = (path: string, message: string): void => {
    problems.push({ path, message });
  };
  if (!isObject(input)) return [{ path: '', message: 'a template is a JSON object' }];
  const template = input as Template;
  const { resources, types } = spec();
  for (const key of Object.keys(template)) if (!SECTIONS.has(key)) problem(key, `unknown template section ${key}`);
  const declared = template.Resources;
  if (!isObject(declared) || Object.keys(declared).length === 0) problem('Resources', 'a template needs at least one resource');
  const resourceIds = new Set(Object.keys(declared ?? {}));
  const parameterIds = new Set(Object.keys(template.Parameters ?? {}));
  const conditionIds = new Set(Object.keys(template.Conditions ?? {}));

  /** Checks the intrinsic `value` (whose name is `name`) and its arguments; `noResources` for imports and export names. */
  const checkIntrinsic = (path: string, name: string, value: Record<string, Json>, noResources: boolean): void => {
    const argument = value[name];
    if (!INTRINSICS.has(name)) return problem(path, `unknown intrinsic function ${name}`);
    if (name === 'Ref') {
      if (typeof argument !== 'string') return problem(path, 'Ref takes the logical id of a resource or parameter');
      if (noResources && resourceIds.has(argument)) return problem(path, `depends on resource ${argument}, which CloudFormation does not allow here`);
      if (!resourceIds.has(argument) && !parameterIds.has(argument) && !PSEUDO_PARAMETERS.has(argument))
        problem(path, `Ref to ${argument}, which is not a resource, parameter or pseudo parameter of this template`);
      return;
    }
    if (name === 'Fn::GetAtt') {
      const [logicalId, attribute] = typeof argument === 'string' ? splitOnce(argument) : Array.isArray(argument) ? argument : [];
      if (typeof logicalId !== 'string' || (typeof attribute !== 'string' && intrinsicName(attribute) === undefined))
        return problem(path, 'Fn::GetAtt takes [logicalId, attribute]');
      if (noResources) return problem(path, `depends on resource ${logicalId}, which CloudFormation does not allow here`);
      const target = declared?.[logicalId];
      if (!target) return problem(path, `Fn::GetAtt of ${logicalId}, which is not a resource of this template`);
      const spec = typeof target.Type === 'string' ? resources.get(target.Type) : undefined;
      if (spec && typeof attribute === 'string' && !(attribute in spec.attributes))
        problem(path, `${target.Type as string} has no attribute ${attribute} (it has ${Object.keys(spec.attributes).sort().join(', ') || 'none'})`);
      return;
    }
    if (name === 'Fn::Join') {
      if (!Array.isArray(argument) || argument.length !== 2 || typeof argument[0] !== 'string' || !(Array.isArray(argument[1]) || intrinsicName(argument[1])))
        return problem(path, 'Fn::Join takes [delimiter, [values]]');
    }
    if (name === 'Fn::If' && (!Array.isArray(argument) || argument.length !== 3 || !conditionIds.has(argument[0] as string)))
      return problem(path, `Fn::If takes [condition, then, else] with a condition of this template, got ${JSON.stringify(argument)}`);
    if (name === 'Fn::ImportValue') return walkIntrinsics(`${path}.Fn::ImportValue`, argument, true);
    walkIntrinsics(`${path}.${name}`, argument, noResources);
  };

  /** Checks every intrinsic anywhere below `value` (where no property type is known). */
  const walkIntrinsics = (path: string, value: Json | undefined, noResources = false): void => {
    const name = intrinsicName(value);
    if (name) return checkIntrinsic(path, name, value as Record<string, Json>, noResources);
    if (Array.isArray(value)) value.forEach((item, i) => walkIntrinsics(`${path}[${i}]`, item, noResources));
    else if (isObject(value)) for (const [key, item] of Object.entries(value)) walkIntrinsics(`${path}.${key}`, item, noResources);
  };

  const checkShape = (path: string, value: Json, shape: SpecShape, what: string): void => {
    if (!isObject(value)) return problem(path, `${what} is an object, got ${describe(value)}`);
    for (const [key, item] of Object.entries(value)) {
      const property = shape.properties[key];
      if (!property) problem(`${path}.${key}`, `${what} has no property ${key}`);
      else checkValue(`${path}.${key}`, item, property.type);
    }
    for (const [key, property] of Object.entries(shape.properties))
      if (property.required && !(key in value)) problem(`${path}.${key}`, `${what} requires property ${key}`);
  };

  const checkValue = (path: string, value: Json, type: SpecType): void => {
    const name = intrinsicName(value);
    if (name) return checkIntrinsic(path, name, value as Record<string, Json>, false);
    switch (type.type) {
      case 'string':
      case 'date-time':
        if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
          return problem(path, `expected a string, got ${describe(value)}`);
        if ('allowedValues' in type && type.allowedValues && !type.allowedValues.includes(String(value)))
          problem(path, `${JSON.stringify(value)} is not one of ${type.allowedValues.join(', ')}`);
        return;
      case 'integer':
      case 'number': {
        const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
        if (typeof number !== 'number' || !Number.isFinite(number) || (type.type === 'integer' && !Number.isInteger(number)))
          return problem(path, `expected ${type.type === 'integer' ? 'an integer' : 'a number'}, got ${describe(value)}`);
        if (type.allowedValues && !type.allowedValues.includes(number)) problem(path, `${number} is not one of ${type.allowedValues.join(', ')}`);
        return;
      }
      case 'boolean':
        if (typeof value !== 'boolean' && value !== 'true' && value !== 'false') problem(path, `expected a boolean, got ${describe(value)}`);
        return;
      case 'json':
        // A JSON document (policy documents, settings blobs): CloudFormation takes an object or its text.
        if (!isObject(value) && !Array.isArray(value) && typeof value !== 'string') problem(path, `expected a JSON object, got ${describe(value)}`);
        else walkIntrinsics(path, value);
        return;
      case 'tag':
        return checkShape(
          path,
          value,
          { properties: { Key: { type: { type: 'string' }, required: true }, Value: { type: { type: 'string' }, required: true } } },
          'a tag',
        );
      case 'ref': {
        const definition = types.get(type.reference.$ref);
        if (!definition) return problem(path, `the specification has no type ${type.reference.$ref}`);
        return checkShape(path, value, definition, definition.name);
      }
      case 'array':
        if (!Array.isArray(value)) return problem(path, `expected a list, got ${describe(value)}`);
        return value.forEach((item, i) => checkValue(`${path}[${i}]`, item, type.element));
      case 'map':
        if (!isObject(value)) return problem(path, `expected a map, got ${describe(value)}`);
        for (const [key, item] of Object.entries(value)) checkValue(`${path}.${key}`, item, type.element);
        return;
      case 'union': {
        // Valid if any member type takes it; otherwise report the member with the fewest problems.
        let best: TemplateProblem[] | undefined;
        for (const member of type.types) {
          const before = problems.length;
          checkValue(path, value, member);
          const found = problems.splice(before);
          if (found.length === 0) return;
          if (!best || found.length < best.length) best = found;
        }
        problems.push(...(best ?? []));
        return;
      }
      case 'null':
        return;
    }
  };

  for (const [id, resource] of Object.entries(declared ?? {})) {
    const path = `Resources.${id}`;
    if (!isObject(resource)) {
      problem(path, 'a resource is an object');
      continue;
    }
    // `Version` is the custom resources' legacy attribute (the framework writes `Version: '1.0'` on its own).
    for (const key of Object.keys(resource))
      if (!RESOURCE_KEYS.has(key) && !(key === 'Version' && typeof resource.Type === 'string' && isCustomType(resource.Type)))
        problem(`${path}.${key}`, `unknown resource attribute ${key}`);
    for (const key of ['DeletionPolicy', 'UpdateReplacePolicy'] as const)
      if (resource[key] !== undefined && !POLICIES.has(resource[key] as string)) problem(`${path}.${key}`, `${JSON.stringify(resource[key])} is not a ${key}`);
    const dependsOn = resource.DependsOn === undefined ? [] : Array.isArray(resource.DependsOn) ? resource.DependsOn : [resource.DependsOn];
    for (const target of dependsOn)
      if (typeof target !== 'string' || !resourceIds.has(target)) problem(`${path}.DependsOn`, `${JSON.stringify(target)} is not a resource of this template`);
    if (resource.Condition !== undefined && !conditionIds.has(resource.Condition as string))
      problem(`${path}.Condition`, `${JSON.stringify(resource.Condition)} is not a condition of this template`);
    const type = resource.Type;
    if (typeof type !== 'string') {
      problem(`${path}.Type`, 'a resource needs a Type');
      continue;
    }
    const properties = (resource.Properties ?? {}) as Json;
    if (isCustomType(type)) {
      // A custom resource's properties are its provider's business; ServiceToken is CloudFormation's.
      if (!isObject(properties) || properties.ServiceToken === undefined) problem(`${path}.Properties.ServiceToken`, `${type} requires property ServiceToken`);
      walkIntrinsics(`${path}.Properties`, properties);
      continue;
    }
    const definition = resources.get(type);
    if (!definition) {
      problem(`${path}.Type`, `unknown resource type ${type}`);
      continue;
    }
    checkShape(`${path}.Properties`, properties, definition, type);
  }

  for (const [id, output] of Object.entries(template.Outputs ?? {})) {
    const path = `Outputs.${id}`;
    if (!isObject(output)) {
      problem(path, 'an output is an object');
      continue;
    }
    for (const key of Object.keys(output)) if (!OUTPUT_KEYS.has(key)) problem(`${path}.${key}`, `unknown output attribute ${key}`);
    if (output.Value === undefined) problem(`${path}.Value`, 'an output requires a Value');
    walkIntrinsics(`${path}.Value`, output.Value);
    if (output.Export !== undefined) {
      if (!isObject(output.Export) || output.Export.Name === undefined) problem(`${path}.Export.Name`, 'an export requires a Name');
      else walkIntrinsics(`${path}.Export.Name`, output.Export.Name, true);
    }
  }
  return problems;
}

/**
 * Throws `ERR_TEMPLATE_INVALID` listing every problem `validateTemplate` finds; `source` names the
 * template in the message (a file, a packaging variant).
 */
export function assertValidTemplate(template: unknown, source: string): void {
  const problems = validateTemplate(template);
  if (problems.length > 0)
    throw new LocalAwsError(
      'ERR_TEMPLATE_INVALID',
      `${source} is not a valid CloudFormation template (resource specification of @aws-cdk/aws-service-spec):\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`,
    );
}

/**
 * The stack template `sls package --package <dir>` wrote (`cloudformation-template-update-stack.json`),
 * parsed and checked with `assertValidTemplate`, as is the framework's first-deploy template
 * (`…-create-stack.json`, its deployment bucket): every test that packages a variant reads it
 * through here, so each variant is validated without packaging it again.
 */
export function readPackagedTemplate<T = Record<string, unknown>>(packageDir: string): T {
  const read = (name: string): unknown => {
    const file = join(packageDir, name);
    const template = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    assertValidTemplate(template, file);
    return template;
  };
  read('cloudformation-template-create-stack.json');
  return read('cloudformation-template-update-stack.json') as T;
}

function splitOnce(value: string): [string, string] {
  const dot = value.indexOf('.');
  return [value.slice(0, dot), value.slice(dot + 1)];
}

function describe(value: Json): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}
