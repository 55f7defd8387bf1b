import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { envWithoutAws, readPackagedTemplate } from '@roomgate/local-aws';

export const SERVICE_DIR = fileURLToPath(new URL('../..', import.meta.url));
const SLS_BIN = fileURLToPath(new URL('../../node_modules/serverless/bin/serverless.js', import.meta.url));
const run = promisify(execFile);

/** The parts of a packaged CloudFormation template the socket e2e tests read. */
export type PackagedTemplate = {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  Outputs: Record<string, { Value: unknown; Export: { Name: string } }>;
};

/**
 * `sls package --stage <stage>` of the socket service into `out`, with no AWS credentials, plus `env`.
 * `buildDir` is its own esbuild work folder (relative to the service; other e2e tests build this
 * service too); the caller removes it. Resolves with the template, or, when packaging fails, without
 * one and with the command's output.
 */
export async function slsPackage(
  stage: string,
  options: { out: string; buildDir: string; env?: Record<string, string> },
): Promise<{ template?: PackagedTemplate; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [SLS_BIN, 'package', '--stage', stage, '--package', options.out], {
      cwd: SERVICE_DIR,
      // Inherited ROOMGATE_* settings are dropped too: only `env` reaches the package step.
      env: envWithoutAws({ ROOMGATE_ESBUILD_DIR: options.buildDir, ...options.env }, { dropSettings: true }),
      timeout: 120_000,
    });
    return { template: readPackagedTemplate<PackagedTemplate>(options.out), output: stdout + stderr };
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    return { output: `${stdout ?? ''}${stderr ?? ''}` };
  }
}
