import { sign, type KeyObject } from 'node:crypto';
import awsLambdaFastify from '@fastify/aws-lambda';
import Fastify from 'fastify';
import { importPKCS8, SignJWT } from 'jose';
import { createSigner, importSigningKey, ALGORITHMS, type SigningAlgorithm } from '@roomgate/shared/tokens';
import { buildApp } from '@roomgate/token-api/token/app';
import { parseConfig } from '@roomgate/token-api/token/config';
import { createLambdaHandler, iamIdentityOfLambdaRequest } from '@roomgate/token-api/http/lambda-handler';
import { createRuntime } from '@roomgate/token-api/token/runtime';
import { httpApiEvent, lambdaContext } from '@roomgate/token-api/testing/http-api-event';
import { BENCH_ROLE_SESSION, endpointsFromEnv, seedStage } from '../lib/local-stack.ts';
import { interleave, type Case, type Rate } from '../lib/measure.ts';
import { CEILING_FRACTION, fmtMicros, fmtRate, targetAgainstCeiling, type Table } from '../lib/report.ts';

/** The signature alone, as node:crypto makes it for the JWS algorithm. */
export function rawSigner(alg: SigningAlgorithm, privateKey: KeyObject): (data: Buffer) => Buffer {
  if (alg === 'ES256') return (data) => sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  if (alg === 'EdDSA') return (data) => sign(null, data, privateKey);
  return (data) => sign('sha256', data, privateKey);
}

const TARGET_RS256 = 0.85;

/**
 * 1. Token issuance in-process: the production Lambda wiring (parseConfig → createRuntime →
 * buildApp → @fastify/aws-lambda) fed a real HTTP API v2 event with an IAM authorizer block, one
 * request at a time, beside node:crypto signing the same bytes with the same key.
 */
export async function run(): Promise<Table[]> {
  const { secretsEndpoint } = endpointsFromEnv();
  const rows: Table['rows'] = [];
  const floor = await adapterFloor();
  let floorMicros = 0;
  // The runner starts one process per algorithm (BENCH_VARIANT); all of them when run alone.
  const algs = ALGORITHMS.filter((a) => !process.env.BENCH_VARIANT || a === process.env.BENCH_VARIANT);
  for (const alg of algs) {
    const seeded = await seedStage(secretsEndpoint, `bench-inproc-${alg.toLowerCase()}`, alg);
    // LOG_LEVEL stays at its production default (info); the runner sends stdout to /dev/null.
    const config = parseConfig(seeded.tokenApiEnv);
    const app = buildApp({ config, ...createRuntime(config), iamIdentity: iamIdentityOfLambdaRequest });
    const handler = await createLambdaHandler(app);
    const event = httpApiEvent({
      method: 'POST',
      path: '/v1/tokens',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ roomId: 'chat-lobby-42', userId: 'user-12345' }),
      iam: { userArn: BENCH_ROLE_SESSION },
    });
    const first = await handler(event, lambdaContext);
    if (first.statusCode !== 201) throw new Error(`${alg}: handler answered ${first.statusCode} ${first.body}`);
    const token = (JSON.parse(first.body) as { token: string }).token;
    const signingInput = Buffer.from(token.slice(0, token.lastIndexOf('.')));

    const key = await importSigningKey(seeded.record);
    const raw = rawSigner(alg, key.privateKey);
    const signer = createSigner({ key, issuer: 'roomgate', audience: 'roomgate-socket' });
    const joseKey = await importPKCS8(seeded.record.private_key, alg);
    const claims = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as Record<string, unknown>;
    const header = { alg, typ: 'JWT', kid: key.kid };

    const rsa = alg === 'RS256';
    const cases: Record<string, Case> = {
      raw: () => raw(signingInput),
      signer: () => signer.sign({ roomId: 'chat-lobby-42', userId: 'user-12345', ttlSeconds: 300 }),
      jose: () => new SignJWT(claims).setProtectedHeader(header).sign(joseKey),
      handler: () => handler(event, lambdaContext),
    };
    // The adapter floor does not depend on the algorithm: measured once, beside RS256.
    if (rsa) cases.floor = () => floor(event, lambdaContext);
    const r = (await interleave(cases, { rounds: rsa ? 5 : 7, msPerSlice: rsa ? 400 : 250 })) as Record<'raw' | 'signer' | 'jose' | 'handler', Rate> & {
      floor?: Rate;
    };
    await app.close();

    const vsRaw = (x: Rate) => x.perCpuSecond / r.raw.perCpuSecond;
    const rate = (x: Rate) => `${fmtRate(x.perCpuSecond)} per CPU-s (wall ${fmtRate(x.perSecond)})`;
    const f = r.floor;
    // raw / (raw + floor): the ratio a token route would reach if signing were its only work.
    const ceiling = f && r.raw.cpuMicrosPerOp / (r.raw.cpuMicrosPerOp + f.cpuMicrosPerOp);
    rows.push(
      { case: `${alg} raw node:crypto sign`, result: `${rate(r.raw)}, ${fmtMicros(r.raw.cpuMicrosPerOp)} CPU each`, note: 'baseline' },
      { case: `${alg} roomgate signer (createSigner)`, result: rate(r.signer), baseline: 'raw sign', ratio: vsRaw(r.signer) },
      { case: `${alg} jose SignJWT (key imported once)`, result: rate(r.jose), baseline: 'raw sign', ratio: vsRaw(r.jose) },
      {
        case: `${alg} Lambda handler, 1 at a time`,
        result: `${rate(r.handler)}, +${fmtMicros(r.handler.cpuMicrosPerOp - r.raw.cpuMicrosPerOp)} CPU/token`,
        baseline: 'raw sign',
        ratio: vsRaw(r.handler),
        ...(rsa && ceiling !== undefined && targetAgainstCeiling(vsRaw(r.handler), TARGET_RS256, ceiling)),
      },
    );
    if (f && ceiling !== undefined) {
      floorMicros = f.cpuMicrosPerOp;
      rows.push({
        case: 'floor: bare Fastify route via @fastify/aws-lambda',
        result: `${fmtMicros(f.cpuMicrosPerOp)} CPU/request; RS256 ceiling raw/(raw+floor) = ${ceiling.toFixed(2)}`,
      });
    }
  }
  return [
    {
      title: '1. Token issuance in-process (Lambda handler, real HTTP API v2 event, one at a time)',
      rows,
      notes: [
        'handler = parseConfig → createRuntime (keys from the local Secrets Manager, cached) → buildApp → @fastify/aws-lambda, IAM caller, LOG_LEVEL=info to /dev/null',
        'rates and ratios use the process CPU time (user+system, all threads incl. GC) so that load from other jobs on the box does not skew them; wall-clock rates beside them',
        `+µs/token = handler CPU per token minus the raw signature; the target applies to RS256 (the default alg): ≥ ${TARGET_RS256} of raw, or ${CEILING_FRACTION} of the ceiling raw/(raw+floor) where that ceiling is below ${(TARGET_RS256 / CEILING_FRACTION).toFixed(2)}`,
        `floor = the same event through @fastify/aws-lambda to a Fastify route that returns a constant (no auth, schema, signing or logs): ${fmtMicros(floorMicros)} of CPU per request that no token route behind the adapter can avoid`,
      ],
    },
  ];
}

/** The adapter's own cost: a Fastify route returning a constant same-size body, no logger. */
async function adapterFloor(): Promise<(event: unknown, context: unknown) => Promise<unknown>> {
  const app = Fastify({ logger: false });
  const body = {
    token: 'x'.repeat(400),
    expiresAt: '2027-01-15T08:05:00Z',
    expiresIn: 300,
    roomId: 'chat-lobby-42',
    socketUrl: 'wss://abc123.execute-api.eu-west-1.amazonaws.com/bench',
  };
  app.post('/v1/tokens', async (_request, reply) => {
    void reply.code(201);
    return body;
  });
  const proxy = awsLambdaFastify(app, { decorateRequest: true });
  await app.ready();
  return proxy as unknown as (event: unknown, context: unknown) => Promise<unknown>;
}
