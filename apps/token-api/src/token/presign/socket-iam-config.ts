import type { EnvReader } from '@roomgate/shared/runtime';
import { MAX_PRESIGN_EXPIRES_SECONDS, MIN_PRESIGN_EXPIRES_SECONDS } from './socket-url-presigner.ts';
import { parseSocketTarget, type SocketTarget } from './socket-target.ts';

/** IAM mode: the socket stage's `$connect` requires AWS_IAM, so `socketUrl` is presigned. */
export interface SocketIamConfig {
  target: SocketTarget;
  /** The socket API's region (credential scope). */
  region: string;
  presignExpiresSeconds: number;
}

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

/**
 * SOCKET_IAM_AUTH (default false), SOCKET_PRESIGN_EXPIRES (seconds, default 10, 1..300) and
 * SOCKET_REGION (default: the region in an execute-api SOCKET_URL, else AWS_REGION). Values are
 * checked even when IAM mode is off, so turning it on later does not reveal old typos.
 * Returns cross-variable problems for the caller to report with the rest.
 */
export function readSocketIamConfig(read: EnvReader, env: Record<string, string | undefined>): { value: SocketIamConfig | undefined; problems: string[] } {
  const enabled = read.bool('SOCKET_IAM_AUTH', { default: false });
  const presignExpiresSeconds = read.int('SOCKET_PRESIGN_EXPIRES', { default: 10, min: MIN_PRESIGN_EXPIRES_SECONDS, max: MAX_PRESIGN_EXPIRES_SECONDS });
  const explicitRegion = read.optionalString('SOCKET_REGION');
  const problems: string[] = [];
  if (explicitRegion !== undefined && !REGION.test(explicitRegion))
    problems.push(`SOCKET_REGION must be an AWS region such as eu-west-1, got ${JSON.stringify(explicitRegion)}`);
  if (!enabled) return { value: undefined, problems };

  const socketUrl = env.SOCKET_URL?.trim();
  // A missing or malformed SOCKET_URL is already reported by the main reader.
  if (!socketUrl || !URL.canParse(socketUrl)) return { value: undefined, problems };
  const { target, problems: urlProblems } = parseSocketTarget(socketUrl);
  problems.push(...urlProblems.map((p) => `SOCKET_URL ${p} (SOCKET_IAM_AUTH=true)`));
  if (!target) return { value: undefined, problems };

  // A signature scoped to the wrong region is refused with 403 at every connect: fail at cold start instead.
  if (explicitRegion !== undefined && target.hostRegion !== undefined && explicitRegion !== target.hostRegion) {
    problems.push(`SOCKET_REGION (${explicitRegion}) differs from the region of SOCKET_URL's host (${target.hostRegion})`);
  }
  const region = explicitRegion ?? target.hostRegion ?? env.AWS_REGION?.trim();
  if (!region) problems.push('SOCKET_REGION is required when SOCKET_IAM_AUTH=true and neither SOCKET_URL nor AWS_REGION names a region');
  return { value: { target, region: region ?? '', presignExpiresSeconds }, problems };
}
