import { execFile, spawnSync } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { FastifyInstance } from 'fastify';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it, type TestContext } from 'vitest';
import { buildApp } from '../../src/token/app.ts';
import { parseConfig } from '../../src/token/config.ts';
import { createRuntime } from '../../src/token/runtime.ts';
import { CHAT_KEY } from '../helpers/fixtures.ts';
import { seedStage, uniqueStage } from '../helpers/local-secrets.ts';
import { SERVICE_DIR } from '../helpers/processes.ts';

// The Go and PHP caller examples of docs/backend-teams.md, taken from the markdown itself (so the
// page and this test cannot drift), built with Debian's toolchains and run against a real token
// server: the token they get must verify with the served JWKS.
const DOC = join(SERVICE_DIR, '..', '..', 'docs', 'backend-teams.md');
const WORK = mkdtempSync(join(tmpdir(), 'roomgate-backend-examples-'));
const run = promisify(execFile);

/** The first ```lang block after the `### <heading>` line of docs/backend-teams.md. */
function example(heading: string, lang: string): string {
  const doc = readFileSync(DOC, 'utf8');
  const start = doc.indexOf(`\n### ${heading}`);
  const open = doc.indexOf(`\n\`\`\`${lang}\n`, start);
  if (start === -1 || open === -1) throw new Error(`docs/backend-teams.md has no \`\`\`${lang} block under "### ${heading}"`);
  const body = open + `\n\`\`\`${lang}\n`.length;
  return doc.slice(body, doc.indexOf('\n```', body));
}

/**
 * Whether a tool is on PATH. In CI (`CI=true`, where .ci/run installs it from Debian) a missing
 * one fails the test; on a laptop the test is skipped, saying what to install.
 */
function requireTool(context: TestContext, command: string, versionArgs: string[], debianPackages: string): boolean {
  if (spawnSync(command, versionArgs, { stdio: 'ignore' }).status === 0) return true;
  const message = `${command} is not installed: apt-get install ${debianPackages} (.ci/run does)`;
  if (process.env.CI === 'true') throw new Error(message);
  context.skip(message);
  return false;
}

let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  const endpoint = inject('secretsEndpoint');
  const stage = uniqueStage('examples');
  await seedStage(endpoint, stage, { alg: 'EdDSA' });
  const config = parseConfig({
    STAGE: stage,
    CALLER_AUTH: 'api-key',
    SOCKET_URL: 'wss://socket.example.invalid/ci',
    SECRETS_ENDPOINT: endpoint,
    LOG_LEVEL: 'warn',
  });
  app = buildApp({ config, ...createRuntime(config) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app?.close();
  rmSync(WORK, { recursive: true, force: true });
});

/** Checks a token response the way a browser's socket would: the JWT verifies with the served JWKS. */
async function expectVerifiedToken(output: string): Promise<void> {
  const body = JSON.parse(output) as Record<string, unknown>;
  const token = (body.token ?? body.Token) as string;
  const jwks = await (await fetch(`${base}/.well-known/jwks.json`)).json();
  const { payload } = await jwtVerify(token, createLocalJWKSet(jwks as never), { issuer: 'roomgate', audience: 'roomgate-socket' });
  expect(payload).toMatchObject({ sub: 'chat-42', uid: 'alice' });
  expect(body.socketUrl ?? body.SocketURL).toBe('wss://socket.example.invalid/ci');
}

describe('the Go example (docs/backend-teams.md), Debian golang-go and golang-github-aws-aws-sdk-go-v2-dev', () => {
  const dir = join(WORK, 'go');
  const bin = join(dir, 'example');
  // GOPATH mode against the Debian-packaged SDK tree: no module proxy, no network; no C toolchain
  // needed (golang-go is installed without its recommended gcc).
  const env = {
    ...process.env,
    GO111MODULE: 'off',
    GOPATH: `${join(WORK, 'gopath')}:/usr/share/gocode`,
    GOPROXY: 'off',
    GOFLAGS: '',
    CGO_ENABLED: '0',
    GOCACHE: join(tmpdir(), 'roomgate-go-cache'),
  };
  let built: Promise<void> | undefined;
  const build = () =>
    (built ??= (async () => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'example.go'), `package main\n\n${example('Go', 'go')}\n`);
      writeFileSync(
        join(dir, 'main.go'),
        `package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
)

// example sigv4 <baseURL> | example api-key <baseURL> <key>: prints the RoomToken as JSON.
func main() {
	ctx := context.Background()
	var token *RoomToken
	var err error
	if os.Args[1] == "sigv4" {
		token, err = RoomTokenSigV4(ctx, os.Args[2], "eu-west-1", "chat-42", "alice")
	} else {
		token, err = RoomTokenAPIKey(ctx, os.Args[2], os.Args[3], "chat-42", "alice")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	_ = json.NewEncoder(os.Stdout).Encode(token)
}
`,
      );
      await run('go', ['build', '-o', bin, '.'], { cwd: dir, env, timeout: 240_000 });
    })());

  it('with an API key gets a token that verifies', async (context) => {
    if (!requireTool(context, 'go', ['version'], 'golang-go golang-github-aws-aws-sdk-go-v2-dev')) return;
    await build();
    const { stdout } = await run(bin, ['api-key', base, CHAT_KEY], { timeout: 30_000 });
    await expectVerifiedToken(stdout);
  }, 300_000);

  it('fails loudly with the status and error code on a refused key', async (context) => {
    if (!requireTool(context, 'go', ['version'], 'golang-go golang-github-aws-aws-sdk-go-v2-dev')) return;
    await build();
    const failure = await run(bin, ['api-key', base, 'rgk_not_a_key_0123456789abcdef'], { timeout: 30_000 }).then(
      () => ({ stderr: 'exited 0' }),
      (error: { stderr?: string }) => error,
    );
    expect(failure.stderr).toMatch(/^token API 401 ERR_UNAUTHENTICATED: /);
  }, 300_000);

  it('signs with SigV4 (service execute-api, its region) as @smithy/signature-v4 does', async (context) => {
    if (!requireTool(context, 'go', ['version'], 'golang-go golang-github-aws-aws-sdk-go-v2-dev')) return;
    await build();
    // API Gateway checks the signature before roomgate runs; here a stand-in re-signs what it
    // received with the same credentials and time and answers 201 only if the signatures match.
    const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
    const seen: string[] = [];
    const verifier = await listen(async (req, body) => {
      const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
        req.headers.authorization ?? '',
      );
      if (!match) return { status: 403, body: { message: `not a SigV4 Authorization header: ${req.headers.authorization}` } };
      const [, accessKeyId, , region, service, signedHeaders, signature] = match;
      seen.push(`${accessKeyId} ${region} ${service}`);
      const amzDate = String(req.headers['x-amz-date']);
      const signingDate = new Date(
        `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
      );
      const headers = Object.fromEntries(signedHeaders!.split(';').map((name) => [name, String(req.headers[name])]));
      const url = new URL(req.url!, `http://${req.headers.host}`);
      // applyChecksum off: Go's signer sends no x-amz-content-sha256 for execute-api, smithy's would add (and sign) one.
      const expected = await new SignatureV4({ service: service!, region: region!, credentials, sha256: Hash.bind(null, 'sha256'), applyChecksum: false }).sign(
        { method: req.method!, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query: {}, headers, body },
        { signingDate },
      );
      const expectedSignature = /Signature=([0-9a-f]{64})/.exec(String(expected.headers.authorization))?.[1];
      if (expectedSignature !== signature)
        return { status: 403, body: { message: 'The request signature we calculated does not match the signature you provided.' } };
      // Signed correctly: hand the request on to the token server, as API Gateway would (with a key here).
      const res = await fetch(`${base}${url.pathname}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': CHAT_KEY }, body });
      return { status: res.status, body: await res.json() };
    });
    const signedWith = (secretAccessKey: string) =>
      run(bin, ['sigv4', verifier.url], {
        timeout: 30_000,
        // The SDK's default chain reads these first; no profile, no instance metadata.
        env: {
          PATH: process.env.PATH ?? '',
          HOME: WORK,
          AWS_ACCESS_KEY_ID: credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: secretAccessKey,
          AWS_CONFIG_FILE: '/nonexistent/config',
          AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
          AWS_EC2_METADATA_DISABLED: 'true',
        },
      });
    try {
      const { stdout } = await signedWith(credentials.secretAccessKey);
      expect(seen).toEqual(['AKIDEXAMPLE eu-west-1 execute-api']);
      await expectVerifiedToken(stdout);
      // A wrong secret: API Gateway's refusal body is {"message"}, which the example must still show.
      const failure = await signedWith('not-the-secret').then(
        () => ({ stderr: 'exited 0' }),
        (error: { stderr?: string }) => error,
      );
      expect(failure.stderr).toMatch(/^token API 403 -: The request signature we calculated does not match/);
    } finally {
      await verifier.close();
    }
  }, 300_000);
});

describe('the PHP example (docs/backend-teams.md), Debian php-cli and php-guzzlehttp-guzzle', () => {
  it('with an API key gets a token that verifies, and fails loudly on a refused key', async (context) => {
    if (!requireTool(context, 'php', ['--version'], 'php-cli php-guzzlehttp-guzzle')) return;
    // The AWS SDK for PHP (the SigV4 branch) is not packaged by Debian: the API-key branch runs
    // here; the SigV4 branch is only parsed (php -l). Guzzle is Debian's php-guzzlehttp-guzzle.
    const file = join(WORK, 'example.php');
    writeFileSync(
      file,
      `<?php
require '/usr/share/php/GuzzleHttp/autoload.php';
${example('PHP', 'php')}
try {
    echo json_encode(roomToken($argv[1], 'eu-west-1', 'chat-42', 'alice', $argv[2]));
} catch (RuntimeException $e) {
    fwrite(STDERR, $e->getMessage());
    exit(1);
}
`,
    );
    await run('php', ['-l', file]);
    const { stdout } = await run('php', [file, base, CHAT_KEY], { timeout: 30_000 });
    await expectVerifiedToken(stdout);
    const failure = await run('php', [file, base, 'rgk_not_a_key_0123456789abcdef'], { timeout: 30_000 }).then(
      () => ({ stderr: 'exited 0' }),
      (error: { stderr?: string }) => error,
    );
    expect(failure.stderr).toMatch(/^token API 401 ERR_UNAUTHENTICATED: /);
  }, 60_000);
});

/** A loopback HTTP server answering JSON from `handle`; `url` is its base. */
async function listen(
  handle: (req: IncomingMessage, body: string) => Promise<{ status: number; body: unknown }>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      handle(req, Buffer.concat(chunks).toString('utf8')).then(
        ({ status, body }) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
        (error: unknown) => res.writeHead(500).end(JSON.stringify({ message: String(error) })),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
