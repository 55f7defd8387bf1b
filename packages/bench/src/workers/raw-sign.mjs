// Raw RSA/ECDSA/EdDSA signing in a worker thread: the physical limit of one core, no JWS, no HTTP.
import { createPrivateKey, sign } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';

const { pem, alg, data, ms } = workerData;
const key = createPrivateKey(pem);
const input = Buffer.from(data);
const one =
  alg === 'ES256'
    ? () => sign('sha256', input, { key, dsaEncoding: 'ieee-p1363' })
    : alg === 'EdDSA'
      ? () => sign(null, input, key)
      : () => sign('sha256', input, key);
for (let i = 0; i < 50; i += 1) one();
const start = process.hrtime.bigint();
const deadline = start + BigInt(ms) * 1_000_000n;
let ops = 0;
let now = start;
while (now < deadline) {
  one();
  ops += 1;
  now = process.hrtime.bigint();
}
parentPort.postMessage({ ops, seconds: Number(now - start) / 1e9 });
