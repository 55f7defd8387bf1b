import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  RestoreSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSecretsManager, type RunningSecretsManager } from '../src/secrets-manager-server.ts';
import { secretsClient, uniqueName } from './helpers/clients.ts';

let server: RunningSecretsManager;
let sm: SecretsManagerClient;

beforeAll(async () => {
  server = await startSecretsManager({ port: 0 });
  sm = secretsClient(server.endpoint);
});

afterAll(async () => {
  sm.destroy();
  await server.close();
});

const stagesOf = async (SecretId: string) => (await sm.send(new DescribeSecretCommand({ SecretId }))).VersionIdsToStages;

describe('startSecretsManager', () => {
  it('listens on a free loopback port', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.endpoint).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('creates a secret and reads it back by name and by ARN, with AWS-shaped fields', async () => {
    const name = uniqueName('app/db');
    const created = await sm.send(new CreateSecretCommand({ Name: name, SecretString: '{"a":1}', Description: 'test' }));
    expect(created.Name).toBe(name);
    expect(created.ARN).toMatch(new RegExp(`^arn:aws:secretsmanager:us-east-1:\\d{12}:secret:${name}-[A-Za-z0-9]{6}$`));
    expect(created.VersionId).toMatch(/^[0-9a-f-]{36}$/);

    for (const SecretId of [name, created.ARN!, created.ARN!.slice(0, -7)]) {
      const got = await sm.send(new GetSecretValueCommand({ SecretId }));
      expect(got).toMatchObject({ ARN: created.ARN, Name: name, VersionId: created.VersionId, SecretString: '{"a":1}', VersionStages: ['AWSCURRENT'] });
      expect(got.CreatedDate).toBeInstanceOf(Date);
      expect(Math.abs(got.CreatedDate!.getTime() - Date.now())).toBeLessThan(10_000);
    }
  });

  it('uses ClientRequestToken as VersionId and treats a retry with the same token as idempotent', async () => {
    const name = uniqueName('tok');
    const token = 'a'.repeat(32);
    const created = await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v1', ClientRequestToken: token }));
    expect(created.VersionId).toBe(token);
    const again = await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v1', ClientRequestToken: token }));
    expect(again.VersionId).toBe(token);
    await expect(sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v2', ClientRequestToken: token }))).rejects.toBeInstanceOf(
      ResourceExistsException,
    );
  });

  it('round-trips SecretBinary', async () => {
    const name = uniqueName('bin');
    await sm.send(new CreateSecretCommand({ Name: name, SecretBinary: new Uint8Array([0, 1, 254, 255]) }));
    const got = await sm.send(new GetSecretValueCommand({ SecretId: name }));
    expect(got.SecretString).toBeUndefined();
    expect([...got.SecretBinary!]).toEqual([0, 1, 254, 255]);
  });

  it('moves AWSCURRENT and AWSPREVIOUS across two rotations, leaving the oldest version unlabeled', async () => {
    const name = uniqueName('rot');
    const v1 = (await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'one' }))).VersionId!;
    const put2 = await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'two' }));
    const v2 = put2.VersionId!;
    expect(put2.VersionStages).toEqual(['AWSCURRENT']);
    expect(await stagesOf(name)).toEqual({ [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT'] });

    const v3 = (await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'three' }))).VersionId!;
    expect(await stagesOf(name)).toEqual({ [v2]: ['AWSPREVIOUS'], [v3]: ['AWSCURRENT'] });

    expect((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe('three');
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPREVIOUS' }))).SecretString).toBe('two');
    // The unlabeled version is still readable by id, as on AWS, but no longer listed by default.
    const old = await sm.send(new GetSecretValueCommand({ SecretId: name, VersionId: v1 }));
    expect(old).toMatchObject({ SecretString: 'one', VersionStages: [] });
    const listed = await sm.send(new ListSecretVersionIdsCommand({ SecretId: name }));
    expect(listed.Versions?.map((v) => v.VersionId)).toEqual([v3, v2]);
    const all = await sm.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }));
    expect(all.Versions?.map((v) => v.VersionId)).toEqual([v3, v2, v1]);
  });

  it('rejects a VersionId and VersionStage that name different versions', async () => {
    const name = uniqueName('mix');
    const v1 = (await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'one' }))).VersionId!;
    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'two' }));
    await expect(sm.send(new GetSecretValueCommand({ SecretId: name, VersionId: v1, VersionStage: 'AWSCURRENT' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    const ok = await sm.send(new GetSecretValueCommand({ SecretId: name, VersionId: v1, VersionStage: 'AWSPREVIOUS' }));
    expect(ok.SecretString).toBe('one');
  });

  it('puts a pending version without touching AWSCURRENT, then promotes it with UpdateSecretVersionStage', async () => {
    const name = uniqueName('pending');
    const v1 = (await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'one' }))).VersionId!;
    const pending = await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'two', VersionStages: ['AWSPENDING'] }));
    const v2 = pending.VersionId!;
    expect(await stagesOf(name)).toEqual({ [v1]: ['AWSCURRENT'], [v2]: ['AWSPENDING'] });

    // AWS insists on naming the version that loses AWSCURRENT.
    await expect(sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: v2 }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );

    const moved = await sm.send(
      new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: v2, RemoveFromVersionId: v1 }),
    );
    expect(moved.Name).toBe(name);
    expect(await stagesOf(name)).toEqual({ [v1]: ['AWSPREVIOUS'], [v2]: ['AWSPENDING', 'AWSCURRENT'] });

    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSPENDING', RemoveFromVersionId: v2 }));
    expect(await stagesOf(name)).toEqual({ [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT'] });

    await expect(sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', RemoveFromVersionId: v2 }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
  });

  it('describes a secret with dates and labels', async () => {
    const name = uniqueName('desc');
    const { ARN, VersionId } = await sm.send(
      new CreateSecretCommand({ Name: name, SecretString: 'x', Description: 'why', Tags: [{ Key: 'team', Value: 'rt' }] }),
    );
    const described = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described).toMatchObject({
      ARN,
      Name: name,
      Description: 'why',
      Tags: [{ Key: 'team', Value: 'rt' }],
      VersionIdsToStages: { [VersionId!]: ['AWSCURRENT'] },
    });
    expect(described.CreatedDate).toBeInstanceOf(Date);
    expect(described.LastChangedDate).toBeInstanceOf(Date);
  });

  it('lists secrets with a name filter and pagination', async () => {
    const prefix = uniqueName('list');
    for (const suffix of ['a', 'b', 'c']) await sm.send(new CreateSecretCommand({ Name: `${prefix}/${suffix}`, SecretString: suffix }));
    const first = await sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }], MaxResults: 2, SortOrder: 'asc' }));
    expect(first.SecretList?.map((s) => s.Name)).toEqual([`${prefix}/a`, `${prefix}/b`]);
    expect(first.NextToken).toBeTruthy();
    const second = await sm.send(
      new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }], MaxResults: 2, SortOrder: 'asc', NextToken: first.NextToken }),
    );
    expect(second.SecretList?.map((s) => s.Name)).toEqual([`${prefix}/c`]);
    expect(second.NextToken).toBeUndefined();
    expect(Object.values(second.SecretList![0]!.SecretVersionsToStages!)).toEqual([['AWSCURRENT']]);
  });

  it('throws the real ResourceNotFoundException for a missing secret', async () => {
    const error = await sm.send(new GetSecretValueCommand({ SecretId: 'does/not/exist' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect((error as ResourceNotFoundException).name).toBe('ResourceNotFoundException');
    expect((error as ResourceNotFoundException).message).toMatch(/can't find the specified secret/);
    expect((error as ResourceNotFoundException).$metadata.httpStatusCode).toBe(400);
  });

  it('throws ResourceNotFoundException for a missing staging label', async () => {
    const name = uniqueName('nolabel');
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
    await expect(sm.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPREVIOUS' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('throws the real ResourceExistsException on a duplicate create', async () => {
    const name = uniqueName('dup');
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
    await expect(sm.send(new CreateSecretCommand({ Name: name, SecretString: 'y' }))).rejects.toBeInstanceOf(ResourceExistsException);
  });

  it('throws InvalidParameterException for a bad name or both value kinds', async () => {
    await expect(sm.send(new CreateSecretCommand({ Name: 'bad name', SecretString: 'x' }))).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(sm.send(new CreateSecretCommand({ Name: uniqueName('both'), SecretString: 'x', SecretBinary: new Uint8Array([1]) }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
  });

  it('schedules a deletion (reads fail with InvalidRequestException), restores, then force-deletes', async () => {
    const name = uniqueName('del');
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
    const scheduled = await sm.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
    expect(scheduled.DeletionDate!.getTime() - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    await expect(sm.send(new GetSecretValueCommand({ SecretId: name }))).rejects.toBeInstanceOf(InvalidRequestException);
    await expect(sm.send(new CreateSecretCommand({ Name: name, SecretString: 'y' }))).rejects.toBeInstanceOf(InvalidRequestException);
    expect((await sm.send(new DescribeSecretCommand({ SecretId: name }))).DeletedDate).toBeInstanceOf(Date);
    const hidden = await sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [name] }] }));
    expect(hidden.SecretList).toEqual([]);

    await sm.send(new RestoreSecretCommand({ SecretId: name }));
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe('x');

    await expect(sm.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true, RecoveryWindowInDays: 7 }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
    await sm.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
    await expect(sm.send(new DescribeSecretCommand({ SecretId: name }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    // The name is free again at once, which is what ForceDeleteWithoutRecovery is for.
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'z' }));
  });

  it('answers unknown operations and bad JSON with AWS error shapes', async () => {
    const unknown = await fetch(server.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'secretsmanager.Nope', 'content-type': 'application/x-amz-json-1.1' },
      body: '{}',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    const bad = await fetch(server.endpoint, { method: 'POST', headers: { 'x-amz-target': 'secretsmanager.GetSecretValue' }, body: '{nope' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ __type: 'SerializationException', message: 'Request body is not a JSON object.' });
  });
});

describe('startSecretsManager with persistFile', () => {
  it('keeps secrets and labels across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roomgate-sm-'));
    const persistFile = join(dir, 'nested', 'secrets.json');
    try {
      const first = await startSecretsManager({ persistFile });
      const c1 = secretsClient(first.endpoint);
      const { ARN } = await c1.send(new CreateSecretCommand({ Name: 'p/one', SecretString: 'v1' }));
      await c1.send(new PutSecretValueCommand({ SecretId: 'p/one', SecretString: 'v2' }));
      c1.destroy();
      await first.close();
      expect(JSON.parse(readFileSync(persistFile, 'utf8')).format).toBe('roomgate-secrets-manager/1');

      const second = await startSecretsManager({ persistFile });
      const c2 = secretsClient(second.endpoint);
      expect((await c2.send(new GetSecretValueCommand({ SecretId: ARN }))).SecretString).toBe('v2');
      expect((await c2.send(new GetSecretValueCommand({ SecretId: 'p/one', VersionStage: 'AWSPREVIOUS' }))).SecretString).toBe('v1');
      c2.destroy();
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
