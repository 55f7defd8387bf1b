import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { importSPKI, jwtVerify } from 'jose';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { localClientConfig } from '@roomgate/local-aws';
import { importSigningKey, createSigner, ALGORITHMS, type SigningAlgorithm } from '@roomgate/shared/tokens';
import { makeConnectHandler } from '@roomgate/socket/handlers/connect';
import { createRuntime } from '@roomgate/socket/lambda/runtime';
import { endpointsFromEnv, seedStage } from '../lib/local-stack.ts';
import { interleave, type Rate } from '../lib/measure.ts';
import { asPrinted, fmtMicros, fmtRate, type Row, type Table } from '../lib/report.ts';
import { createDynamoDbClient } from '@roomgate/shared/runtime';
import { createConnectionStore } from '@roomgate/shared/store';

const TARGET = 0.5;

/** The signature check alone, as node:crypto does it for the JWS algorithm. */
function rawVerifier(alg: SigningAlgorithm, publicKey: KeyObject): (data: Buffer, signature: Buffer) => boolean {
  if (alg === 'ES256') return (data, signature) => verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature);
  if (alg === 'EdDSA') return (data, signature) => verify(null, data, publicKey, signature);
  return (data, signature) => verify('sha256', data, publicKey, signature);
}

/**
 * 3. `$connect`: the production socket runtime (createRuntime from env: JWKS from the local Secrets
 * Manager, DynamoDB client on dynalite, JSON logger at info to /dev/null) and the real connect
 * handler, per algorithm; beside it the verifier alone, jose's jwtVerify with a key imported once,
 * and node:crypto's verify of the same bytes.
 */
export async function run(): Promise<Table[]> {
  const local = endpointsFromEnv();
  const rows: Row[] = [];
  Object.assign(process.env, { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
  // The runner starts one process per algorithm (BENCH_VARIANT); all of them when run alone.
  const algs = ALGORITHMS.filter((a) => !process.env.BENCH_VARIANT || a === process.env.BENCH_VARIANT);
  for (const alg of algs) {
    const stage = `bench-connect-${alg.toLowerCase()}`;
    const seeded = await seedStage(local.secretsEndpoint, stage, alg);
    const runtime = createRuntime({
      TABLE_NAME: local.tableName,
      ACCESS_TABLE_NAME: local.accessTableName,
      HISTORY_TABLE_NAME: local.historyTableName,
      PUBLIC_KEYS_SECRET_ID: `roomgate/${stage}/public-keys`,
      MANAGEMENT_ENDPOINT: 'http://127.0.0.1:9',
      TOKEN_ISSUER: 'roomgate',
      TOKEN_AUDIENCE: 'roomgate-socket',
      DYNAMODB_ENDPOINT: local.dynamoEndpoint,
      SECRETS_ENDPOINT: local.secretsEndpoint,
      LOG_LEVEL: 'info',
    });
    // The production $connect: the join position (one Query of the history table), the conditional
    // PutItem, then every admission check (bans, revocations: one BatchGetItem) and the presence join.
    const handler = makeConnectHandler({
      verifier: runtime.verifier,
      store: runtime.store,
      admission: runtime.admission,
      history: runtime.history,
      logger: runtime.logger,
    });
    const signer = createSigner({ key: await importSigningKey(seeded.record), issuer: 'roomgate', audience: 'roomgate-socket' });
    const { token } = await signer.sign({ roomId: 'chat-lobby-42', userId: 'user-12345', ttlSeconds: 3600 });
    let n = 0;
    const event = () => ({
      requestContext: { connectionId: `bench-${alg}-${(n += 1)}`, routeKey: '$connect', eventType: 'CONNECT' as const },
      headers: { 'Sec-WebSocket-Protocol': `roomgate.v1, roomgate.token.${token}` },
      multiValueHeaders: { 'Sec-WebSocket-Protocol': ['roomgate.v1', `roomgate.token.${token}`] },
      queryStringParameters: null,
    });
    const first = await handler(event());
    if (first.statusCode !== 200) throw new Error(`${alg}: $connect answered ${first.statusCode} ${first.body}`);

    const publicKey = createPublicKey(seeded.record.public_key);
    const raw = rawVerifier(alg, publicKey);
    const dot = token.lastIndexOf('.');
    const signingInput = Buffer.from(token.slice(0, dot));
    const signature = Buffer.from(token.slice(dot + 1), 'base64url');
    const joseKey = await importSPKI(seeded.record.public_key, alg);
    const fast = alg !== 'RS256';
    // The same item written with a bare SDK client: what a PutItem costs without our store.
    const dynamo = createDynamoDbClient(localClientConfig(local.dynamoEndpoint));
    const item = (id: string) => ({
      connectionId: { S: id },
      roomId: { S: 'chat-lobby-42' },
      userId: { S: 'user-12345' },
      cap: { L: [{ S: 'subscribe' }, { S: 'publish' }] },
      connectedAt: { N: '1800000000' },
      tokenExpiresAt: { N: '1800003600' },
      expiresAt: { N: '1800008100' },
    });
    // The same handler without a part, to say where the time goes: no presence/events observer
    // (a plain store), and the round-1 $connect (verify + PutItem only: no join read, no admission).
    const plainStore = createConnectionStore({ client: dynamo, tableName: local.tableName });
    const withoutPresence = makeConnectHandler({
      verifier: runtime.verifier,
      store: plainStore,
      admission: runtime.admission,
      history: runtime.history,
      logger: runtime.logger,
    });
    const roundOne = makeConnectHandler({
      verifier: runtime.verifier,
      store: plainStore,
      admission: { admitConnection: async () => undefined },
      logger: runtime.logger,
    });
    const r = await interleave(
      {
        raw: () => raw(signingInput, signature),
        verifier: () => runtime.verifier.verify(token),
        jose: () => jwtVerify(token, joseKey, { issuer: 'roomgate', audience: 'roomgate-socket', algorithms: [alg] }),
        connect: () => handler(event()),
        noPresence: () => withoutPresence(event()),
        roundOne: () => roundOne(event()),
        rawPut: () => dynamo.send(new PutItemCommand({ TableName: local.tableName, Item: item(`raw-${alg}-${(n += 1)}`) })),
      },
      { rounds: 5, msPerSlice: fast ? 250 : 200 },
    );
    dynamo.destroy();
    const vsRaw = (x: Rate) => x.perCpuSecond / r.raw.perCpuSecond;
    const rate = (x: Rate) => `${fmtRate(x.perCpuSecond)} per CPU-s (wall ${fmtRate(x.perSecond)})`;
    rows.push(
      { case: `${alg} raw node:crypto verify`, result: `${rate(r.raw)}, ${fmtMicros(r.raw.cpuMicrosPerOp)} CPU each`, note: 'baseline' },
      {
        case: `${alg} roomgate verifier`,
        result: `${rate(r.verifier)}, +${fmtMicros(r.verifier.cpuMicrosPerOp - r.raw.cpuMicrosPerOp)} CPU/token`,
        baseline: 'raw verify',
        ratio: vsRaw(r.verifier),
        target: `≥ ${TARGET}`,
        met: asPrinted(vsRaw(r.verifier)) >= TARGET,
      },
      { case: `${alg} jose jwtVerify (key imported once)`, result: rate(r.jose), baseline: 'raw verify', ratio: vsRaw(r.jose) },
      {
        case: `${alg} $connect handler (verify + PutItem on dynalite)`,
        result: `${fmtMicros(r.connect.microsPerOp)} wall, ${fmtMicros(r.connect.cpuMicrosPerOp)} CPU; bare SDK PutItem alone ${fmtMicros(r.rawPut.microsPerOp)} wall, ${fmtMicros(r.rawPut.cpuMicrosPerOp)} CPU`,
        baseline: 'raw verify + bare PutItem (CPU)',
        ratio: (r.raw.cpuMicrosPerOp + r.rawPut.cpuMicrosPerOp) / r.connect.cpuMicrosPerOp,
      },
      {
        case: `${alg} $connect without the presence observer (join read + PutItem + admission)`,
        result: `${fmtMicros(r.noPresence.microsPerOp)} wall, ${fmtMicros(r.noPresence.cpuMicrosPerOp)} CPU`,
        baseline: 'verify + PutItem only (CPU)',
        ratio: r.noPresence.cpuMicrosPerOp / r.roundOne.cpuMicrosPerOp,
        target: '≤ 1.3×',
        met: asPrinted(r.noPresence.cpuMicrosPerOp / r.roundOne.cpuMicrosPerOp) <= 1.3,
      },
      {
        case: `${alg} $connect, verify + PutItem only (round 1's $connect)`,
        result: `${fmtMicros(r.roundOne.microsPerOp)} wall, ${fmtMicros(r.roundOne.cpuMicrosPerOp)} CPU`,
        note: 'baseline',
      },
    );
  }
  return [
    {
      title: '3. $connect (production socket runtime, one at a time)',
      rows,
      notes: [
        'verifier = createRuntime(env).verifier: JWKS from the local Secrets Manager (loaded once, cached), iss/aud required, the full claims checks',
        '$connect = makeConnectHandler with the runtime store (PutItem to dynalite in a separate process over loopback) and the JSON logger at info to /dev/null',
        'ratios use process CPU time (user+system, all threads) so load from other jobs does not skew them; the $connect row compares its CPU with raw verify + a bare SDK PutItem of the same item',
        'the store write is a loopback round trip to dynalite (wall time mostly waiting on it); in AWS a network round trip to DynamoDB, so the handler row is context, not a target',
      ],
    },
  ];
}
