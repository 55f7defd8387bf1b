/**
 * The parent environment minus every `AWS_*` variable, with the SDK's other credential sources
 * shut (no shared credentials or config file, no EC2 instance metadata) and serverless telemetry
 * off, then `extra` on top: a child (`sls package`, `sls offline`, a packaged handler) started with
 * it cannot reach a real account whatever profile the developer has active, and a test that
 * packages with it proves packaging needs no credentials.
 *
 * `dropSettings` also drops every inherited `ROOMGATE_*` variable (turbo passes them through), so
 * only the settings in `extra` reach the child.
 */
export function envWithoutAws(extra: Record<string, string> = {}, options: { dropSettings?: boolean } = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('AWS_') && !(options.dropSettings === true && name.startsWith('ROOMGATE_'))) env[name] = value;
  }
  return {
    ...env,
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_EC2_METADATA_DISABLED: 'true',
    SLS_TELEMETRY_DISABLED: '1',
    ...extra,
  };
}
