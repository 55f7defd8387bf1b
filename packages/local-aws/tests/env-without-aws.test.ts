import { afterEach, describe, expect, it, vi } from 'vitest';
import { envWithoutAws } from '../src/env-without-aws.ts';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('envWithoutAws', () => {
  it('drops every inherited AWS_* variable, shuts the other credential sources and lets extra win', () => {
    vi.stubEnv('AWS_PROFILE', 'prod');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDREAL');
    vi.stubEnv('ROOMGATE_LOG_LEVEL', 'debug');
    const env = envWithoutAws({ ROOMGATE_ESBUILD_DIR: '.esbuild-x', SLS_TELEMETRY_DISABLED: '0' });
    expect(env.AWS_PROFILE).toBeUndefined();
    expect(env.AWS_ACCESS_KEY_ID).toBeUndefined();
    expect(env).toMatchObject({
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
      AWS_CONFIG_FILE: '/nonexistent/config',
      AWS_EC2_METADATA_DISABLED: 'true',
      SLS_TELEMETRY_DISABLED: '0',
      ROOMGATE_ESBUILD_DIR: '.esbuild-x',
      ROOMGATE_LOG_LEVEL: 'debug',
      PATH: process.env.PATH,
    });
  });

  it('with dropSettings, keeps only the ROOMGATE_* settings given in extra', () => {
    vi.stubEnv('ROOMGATE_LOG_LEVEL', 'debug');
    vi.stubEnv('ROOMGATE_STAGES_DIR', '/elsewhere');
    const env = envWithoutAws({ ROOMGATE_ESBUILD_DIR: '.esbuild-x' }, { dropSettings: true });
    expect(Object.keys(env).filter((name) => name.startsWith('ROOMGATE_'))).toEqual(['ROOMGATE_ESBUILD_DIR']);
  });
});
