import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_DIR, slsPackage as packageService, type PackagedTemplate as Template } from '../helpers/sls-package.ts';
import { stageFilesEnv } from '../helpers/stage-files.ts';

const OUT = mkdtempSync(join(tmpdir(), 'roomgate-socket-stage-package-'));
const BUILD_DIR = `.esbuild-stage-${process.pid}`;

/** `sls package --stage <stage>`: the template, or the command's output when it fails. */
const slsPackage = (stage: string, env: Record<string, string>) => packageService(stage, { out: join(OUT, stage), buildDir: BUILD_DIR, env });

/** Every string in the template (Fn::Join parts included). */
function strings(node: unknown, found: string[] = []): string[] {
  if (typeof node === 'string') found.push(node);
  else if (Array.isArray(node)) for (const item of node) strings(item, found);
  else if (node && typeof node === 'object') for (const value of Object.values(node)) strings(value, found);
  return found;
}

let china: Template;
beforeAll(async () => {
  const packaged = await slsPackage('cn', stageFilesEnv('cn', { region: 'cn-north-1' }));
  if (!packaged.template) throw new Error(`sls package --stage cn failed:\n${packaged.output}`);
  china = packaged.template;
});
afterAll(() => {
  rmSync(OUT, { recursive: true, force: true });
  rmSync(join(SERVICE_DIR, BUILD_DIR), { recursive: true, force: true });
});

describe('sls package of the socket service for any partition and stage', () => {
  it("a China stage builds every host from AWS::URLSuffix (amazonaws.com.cn there): the functions' MANAGEMENT_ENDPOINT and its export", () => {
    const managementEndpoint = {
      'Fn::Join': ['', ['https://', { Ref: 'WebsocketsApi' }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/cn']],
    };
    expect(china.Outputs.ManagementEndpoint!.Value).toEqual(managementEndpoint);
    for (const id of ['ConnectLambdaFunction', 'DefaultLambdaFunction', 'FanOutShardLambdaFunction']) {
      expect((china.Resources[id]!.Properties.Environment as { Variables: Record<string, unknown> }).Variables.MANAGEMENT_ENDPOINT).toEqual(managementEndpoint);
    }
  });

  it('no hard-coded DNS suffix or partition anywhere (service principals aside: they are the same in every partition)', () => {
    const all = strings(china);
    expect(all.filter((s) => s.includes('amazonaws.com') && !/^[a-z.-]+\.amazonaws\.com$/.test(s))).toEqual([]);
    expect(all.filter((s) => /arn:aws[:-]/.test(s))).toEqual([]);
  });

  it('the devstack stage "local" is refused: packaged, it would point every function at 127.0.0.1', async () => {
    const { template, output } = await slsPackage('local', {});
    expect(template).toBeUndefined();
    expect(output).toMatch(/stage "local" is the devstack's \(pnpm dev, sls offline --stage local\)/);
  });

  it('a bad stage file fails in one line, without stack frames', async () => {
    const { template, output } = await slsPackage('bad', stageFilesEnv('bad', { throttle: { websocket: { rateLimit: 5 } } }));
    expect(template).toBeUndefined();
    expect(output).toMatch(/stages\/bad\.yml: unknown setting throttle\.websocket \(known: socket, tokenApi\)/);
    expect(output).not.toMatch(/^\s+at /m);
  });
});
