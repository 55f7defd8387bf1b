import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type SigningKeySource, createSigner } from '@roomgate/shared/tokens';
import { noMetrics, systemClock, type Clock, type JsonLogger, type Metrics } from '@roomgate/shared/runtime';
import type { ApiKeySource } from '../http/auth/api-key-source.ts';
import type { IamIdentity } from '../http/auth/iam-callers.ts';
import type { AppConfig } from './config.ts';
import type { SocketUrlPresigner } from './presign/socket-url-presigner.ts';
import { authentication } from '../http/authentication.ts';
import { createHttpApp } from '../http/http-app.ts';
import { precompiledCompilers, type SchemaCompilers } from '../http/compiled-schemas.ts';
import compiledSchemas from './compiled-schemas.generated.cjs';
import { presignHttpError } from './presign/http-errors.ts';
import { healthRoutes } from './routes/health.ts';
import { jwksRoutes } from './routes/jwks.ts';
import { tokenRoutes } from './routes/tokens.ts';

/** Small on purpose: a token request is ~200 bytes; anything near this is not a token request. */
export const BODY_LIMIT = 4096;

export interface AppDeps {
  config: AppConfig;
  /** The signing key and the public JWKS (Secrets Manager in AWS and locally). */
  keys: SigningKeySource;
  /** API keys; absent: only IAM callers are accepted. */
  apiKeys?: ApiKeySource | undefined;
  /** The SigV4 caller of a request; only `lambda.ts` provides it (API Gateway's `authorizer.iam`). */
  iamIdentity?: ((request: FastifyRequest) => IamIdentity | undefined) | undefined;
  clock?: Clock;
  /** IAM mode: presigns each token's `socketUrl` (SigV4) instead of returning `config.socketUrl`. */
  socketUrlPresigner?: SocketUrlPresigner | undefined;
  /** Default: this function's build-time code (`compiled-schemas.generated.cjs`); the generator passes its writers. */
  schemaCompilers?: SchemaCompilers | undefined;
  /** The function's logger, Fastify's too; default: a new one at `config.logLevel`. */
  logger?: JsonLogger | undefined;
  /** `TokensIssued`, throttles behind 5xx answers; default: none. */
  metrics?: Metrics | undefined;
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const { config } = deps;
  const app = createHttpApp({
    logLevel: config.logLevel,
    bodyLimit: BODY_LIMIT,
    appErrors: presignHttpError,
    logger: deps.logger,
    metrics: deps.metrics,
    schemaCompilers: deps.schemaCompilers ?? precompiledCompilers(compiledSchemas),
  });

  const signer = createSigner({
    key: () => deps.keys.getSigningKey(),
    issuer: config.issuer,
    audience: config.audience,
    clock: deps.clock ?? systemClock,
  });

  void app.register(authentication, { iamCallers: config.iamCallers, iamIdentity: deps.iamIdentity, apiKeys: deps.apiKeys });
  void app.register(healthRoutes);
  void app.register(jwksRoutes, { keys: deps.keys, maxAgeSeconds: config.jwksMaxAgeSeconds });
  void app.register(tokenRoutes, {
    signer,
    defaultTtlSeconds: config.defaultTtlSeconds,
    maxTtlSeconds: config.maxTtlSeconds,
    singleUseDefault: config.singleUseDefault,
    socketUrl: config.socketUrl,
    tokenInQuery: config.tokenInQuery,
    socketUrlPresigner: deps.socketUrlPresigner,
    metrics: deps.metrics ?? noMetrics,
  });
  return app;
}
