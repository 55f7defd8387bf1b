/** Where presigned URLs point: everything SigV4 signs about the request except its query. */
export interface SocketTarget {
  /** `wss:` (or `ws:` for a local stack, which never checks the signature). */
  protocol: 'wss:' | 'ws:';
  /** The `Host` header the browser will send: hostname plus a non-default port. */
  host: string;
  /** The stage path, e.g. `/prod`; `/` for a custom domain mapped at its root. */
  path: string;
  /** `abc123` and `eu-west-1` of `abc123.execute-api.eu-west-1.amazonaws.com`; absent for custom domains. */
  apiId?: string;
  hostRegion?: string;
}

const EXECUTE_API_HOST = /^([a-z0-9]+)\.execute-api\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$/;

/**
 * Only unreserved characters and `/` in the path: then the path the browser sends, the path
 * API Gateway canonicalises and the path we sign are the same string, with no question of
 * percent-encoding once or twice (SigV4 encodes non-S3 paths twice).
 */
const SAFE_PATH = /^(?:\/[A-Za-z0-9._~-]+)*\/?$/;

/** Parses a socket URL for presigning; returns the problems instead of throwing so config can list them all. */
export function parseSocketTarget(socketUrl: string): { target?: SocketTarget; problems: string[] } {
  let url: URL;
  try {
    url = new URL(socketUrl);
  } catch {
    return { problems: ['must be a URL'] };
  }
  const problems: string[] = [];
  if (url.protocol !== 'wss:' && url.protocol !== 'ws:') problems.push('must use wss: (or ws: locally)');
  // The signature covers the whole query: anything already in it would have to be kept verbatim.
  if (url.search !== '' || url.hash !== '') problems.push('must have no query or fragment when presigned');
  if (url.username !== '' || url.password !== '') problems.push('must not contain credentials');
  const path = url.pathname === '' ? '/' : url.pathname;
  if (!SAFE_PATH.test(path)) problems.push('path must use only letters, digits, "-", ".", "_", "~" and "/" when presigned');
  if (problems.length > 0) return { problems };
  const match = EXECUTE_API_HOST.exec(url.hostname);
  return {
    target: {
      protocol: url.protocol as SocketTarget['protocol'],
      host: url.host,
      path,
      ...(match && { apiId: match[1], hostRegion: match[2] }),
    },
    problems,
  };
}
