'use strict';
// The settings of a stage, declared once in stages/<stage>.yml and read by both services'
// serverless.yml (`${file(../../stages/settings.cjs):serverless}`) and by `pnpm stage`. A stage
// without a file gets the defaults below, so `sls package --stage <any>` works on a fresh clone.
// Plain CommonJS: serverless loads it with require(), without a TypeScript loader.
const fs = require('node:fs');
const path = require('node:path');

const STAGES_DIR = path.resolve(__dirname);
const STAGE_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;
// Commercial, GovCloud, China and ISO partitions: us-east-1, us-gov-west-1, cn-north-1, us-isob-east-1.
const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
// CloudWatch Logs accepts only these retention periods (PutRetentionPolicy, retentionInDays).
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const FUNCTIONS = ['connect', 'disconnect', 'default', 'fanOutShard', 'api', 'rooms'];

/** Every setting with its default; a key not listed here is refused (a typo must not pass as a default). */
const DEFAULTS = Object.freeze({
  region: 'us-east-1',
  callerAuth: 'iam',
  iamCallers: {},
  socketIamAuth: false,
  socketPresignExpires: 10,
  socketUrl: null,
  tokenIssuer: 'roomgate',
  tokenAudience: 'roomgate-socket',
  tokenDefaultTtl: 300,
  tokenMaxTtl: 3600,
  historyTtlSeconds: 600,
  historyMaxMessages: 1000,
  singleUseTokens: false,
  publishRatePerSecond: 10,
  publishBurst: 20,
  maxConnectionsPerUser: 0,
  presenceMaxRoomSize: 100,
  fanOutShardThreshold: 1000,
  fanOutShardSize: 5000,
  fanOutMaxShards: 100,
  fanOutShardConcurrency: 25,
  allowLegacyTokens: false,
  requireIssAud: true,
  clockToleranceSeconds: 5,
  logLevel: 'info',
  logRetentionInDays: 14,
  accessLogs: true,
  throttle: { socket: { rateLimit: 100, burstLimit: 200 }, tokenApi: { rateLimit: 100, burstLimit: 200 } },
  reservedConcurrency: { connect: null, disconnect: null, default: null, fanOutShard: null, api: null, rooms: null },
});

// Settings that existed as environment variables and were removed: the socket stack is always the
// same stage, account and region as the token API (its exports are imported by name).
const REMOVED = {
  socketStage: "the socket stage is always the token API's stage (its keys, exports and ARNs are the stage's own)",
  socketRegion: 'both services deploy to the stage\'s "region"',
  socketApiId: "the socket API id always comes from the socket stack's WebsocketApiId export",
};

class StageSettingsError extends Error {
  constructor(stage, problems) {
    super(`stages/${stage}.yml: ${problems.join('; ')}`);
    this.name = 'StageSettingsError';
    this.code = 'ERR_STAGE_SETTINGS';
    this.problems = problems;
  }
}

/** The file a stage's settings are read from; ROOMGATE_STAGES_DIR points tests at their own folder. */
function stageFilePath(stage, env = process.env) {
  return path.join(env.ROOMGATE_STAGES_DIR ? path.resolve(env.ROOMGATE_STAGES_DIR) : STAGES_DIR, `${stage}.yml`);
}

/**
 * Validates a stage's declared settings (the parsed YAML, or null when the stage has no file) and
 * fills in defaults. Throws StageSettingsError (code ERR_STAGE_SETTINGS) listing every problem.
 * Durations are in seconds, retention in days, throttle limits in requests per second (rate) and
 * requests (burst), as API Gateway's ThrottlingRateLimit / ThrottlingBurstLimit.
 * @param {string} stage
 * @param {Record<string, unknown> | null} declared
 * @param {{ region?: string }} [options] region: a --region given on the command line; must match.
 */
function resolveStageSettings(stage, declared, options = {}) {
  const problems = [];
  if (!STAGE_PATTERN.test(stage))
    problems.push(`invalid stage ${JSON.stringify(stage)}: use 1-32 characters of a-z, 0-9 and -, starting with a letter or digit`);
  if (declared !== null && declared !== undefined && (typeof declared !== 'object' || Array.isArray(declared))) {
    throw new StageSettingsError(stage, ['must be a mapping of setting: value']);
  }
  const raw = declared ?? {};
  for (const key of Object.keys(raw)) {
    if (key in REMOVED) problems.push(`"${key}" is no longer a setting: ${REMOVED[key]}`);
    else if (!(key in DEFAULTS)) problems.push(`unknown setting "${key}" (known: ${Object.keys(DEFAULTS).join(', ')})`);
  }
  const s = {
    ...DEFAULTS,
    ...raw,
    throttle: { socket: { ...DEFAULTS.throttle.socket, ...raw.throttle?.socket }, tokenApi: { ...DEFAULTS.throttle.tokenApi, ...raw.throttle?.tokenApi } },
    reservedConcurrency: { ...DEFAULTS.reservedConcurrency, ...raw.reservedConcurrency },
  };
  const int = (name, value, min, max) => {
    if (!Number.isInteger(value) || value < min || value > max)
      problems.push(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  };
  const bool = (name) => {
    if (typeof s[name] !== 'boolean') problems.push(`${name} must be true or false, got ${JSON.stringify(s[name])}`);
  };
  const text = (name) => {
    if (typeof s[name] !== 'string' || s[name] === '') problems.push(`${name} must be a non-empty string`);
  };

  if (typeof s.region !== 'string' || !REGION_PATTERN.test(s.region))
    problems.push(`region must be an AWS region such as us-east-1, got ${JSON.stringify(s.region)}`);
  if (options.region !== undefined && options.region !== s.region) {
    problems.push(
      `--region ${options.region} differs from the stage's region ${s.region}: keys and both stacks must share one region; change "region" in the stage file instead`,
    );
  }
  if (!['iam', 'api-key'].includes(s.callerAuth)) problems.push(`callerAuth must be "iam" or "api-key", got ${JSON.stringify(s.callerAuth)}`);
  if (typeof s.iamCallers !== 'object' || s.iamCallers === null || Array.isArray(s.iamCallers)) {
    problems.push('iamCallers must be a mapping of role or user ARN: [room patterns]');
  } else {
    for (const [arn, patterns] of Object.entries(s.iamCallers)) {
      if (!/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/\S+$/.test(arn))
        problems.push(`iamCallers: ${JSON.stringify(arn)} is not an IAM role or user ARN (arn:aws:iam::<account>:role/<name>)`);
      if (!Array.isArray(patterns) || patterns.length === 0 || !patterns.every((p) => typeof p === 'string' && p !== '')) {
        problems.push(`iamCallers: ${JSON.stringify(arn)} needs a non-empty list of room patterns`);
      }
    }
  }
  for (const name of ['socketIamAuth', 'allowLegacyTokens', 'requireIssAud', 'accessLogs', 'singleUseTokens']) bool(name);
  for (const name of ['tokenIssuer', 'tokenAudience']) text(name);
  // Ranges of the functions' own cold-start checks, so a bad value fails here and not at runtime.
  int('socketPresignExpires', s.socketPresignExpires, 1, 300);
  int('tokenMaxTtl', s.tokenMaxTtl, 1, 86_400);
  int('tokenDefaultTtl', s.tokenDefaultTtl, 1, Number.isInteger(s.tokenMaxTtl) ? s.tokenMaxTtl : 86_400);
  int('historyTtlSeconds', s.historyTtlSeconds, 0, 86_400);
  // The functions' own limit (apps/socket/src/config.ts): a larger value would pass here and fail every cold start.
  int('historyMaxMessages', s.historyMaxMessages, 1, 10_000);
  int('presenceMaxRoomSize', s.presenceMaxRoomSize, 1, 10_000);
  int('clockToleranceSeconds', s.clockToleranceSeconds, 0, 300);
  int('publishRatePerSecond', s.publishRatePerSecond, 0, 10_000);
  int('publishBurst', s.publishBurst, 1, 10_000);
  int('maxConnectionsPerUser', s.maxConnectionsPerUser, 0, 1000);
  // Large rooms: the bounds of the functions' own FAN_OUT_* checks (packages/shared/src/delivery/sharding-config.ts).
  int('fanOutShardThreshold', s.fanOutShardThreshold, 1, 5_000);
  int('fanOutShardSize', s.fanOutShardSize, 10, 50_000);
  int('fanOutMaxShards', s.fanOutMaxShards, 2, 1_000);
  int('fanOutShardConcurrency', s.fanOutShardConcurrency, 1, 200);
  if (s.socketUrl !== null && (typeof s.socketUrl !== 'string' || !/^wss:\/\/[^\s/]+\/\S*$/.test(s.socketUrl))) {
    problems.push(`socketUrl must be null (the socket stack's URL) or a wss:// URL with a path, got ${JSON.stringify(s.socketUrl)}`);
  }
  if (s.allowLegacyTokens === true && s.requireIssAud !== false)
    problems.push('allowLegacyTokens: true needs requireIssAud: false (legacy tokens carry neither iss nor aud)');
  if (!LOG_LEVELS.includes(s.logLevel)) problems.push(`logLevel must be one of ${LOG_LEVELS.join(', ')}`);
  if (!LOG_RETENTION_DAYS.includes(s.logRetentionInDays))
    problems.push(`logRetentionInDays must be one CloudWatch Logs accepts (${LOG_RETENTION_DAYS.join(', ')})`);
  for (const api of ['socket', 'tokenApi']) {
    for (const key of Object.keys(s.throttle[api]))
      if (!['rateLimit', 'burstLimit'].includes(key)) problems.push(`unknown setting throttle.${api}.${key} (known: rateLimit, burstLimit)`);
    int(`throttle.${api}.rateLimit`, s.throttle[api].rateLimit, 1, 10_000);
    int(`throttle.${api}.burstLimit`, s.throttle[api].burstLimit, 1, 5_000);
  }
  for (const [fn, value] of Object.entries(s.reservedConcurrency)) {
    if (!FUNCTIONS.includes(fn)) problems.push(`unknown function reservedConcurrency.${fn} (known: ${FUNCTIONS.join(', ')})`);
    else if (value !== null) int(`reservedConcurrency.${fn}`, value, 1, 10_000);
  }
  // IAM role names are at most 64 characters (IAM quotas), Lambda function names too: the longest
  // names the two services derive from stage and region.
  if (problems.length === 0) {
    for (const [what, name] of Object.entries(derivedNames(stage, s.region))) {
      if (name.length > 64)
        problems.push(`stage "${stage}" in ${s.region} makes the ${what} "${name}" ${name.length} characters long; AWS allows 64: use a shorter stage name`);
    }
  }
  if (problems.length > 0) throw new StageSettingsError(stage, problems);
  return s;
}

/** Names AWS limits to 64 characters, as the services derive them (serverless.yml, resources/). */
function derivedNames(stage, region) {
  return {
    'token API role name': `roomgate-token-api-${stage}-${region}-lambdaRole`,
    'Rooms function name': `roomgate-token-api-${stage}-rooms`,
    'socket disconnect function name': `roomgate-socket-${stage}-disconnect`,
    'fan-out shard function name': `roomgate-socket-${stage}-fanOutShard`,
  };
}

/** The values serverless.yml reads (`${self:custom.settings.<name>}`): env-bound values as strings. */
function toServerless(s) {
  const str = (v) => String(v);
  return {
    ...s,
    iamCallers: JSON.stringify(s.iamCallers),
    socketIamAuth: str(s.socketIamAuth),
    socketPresignExpires: str(s.socketPresignExpires),
    tokenDefaultTtl: str(s.tokenDefaultTtl),
    tokenMaxTtl: str(s.tokenMaxTtl),
    historyTtlSeconds: str(s.historyTtlSeconds),
    historyMaxMessages: str(s.historyMaxMessages),
    singleUseTokens: str(s.singleUseTokens),
    publishRatePerSecond: str(s.publishRatePerSecond),
    publishBurst: str(s.publishBurst),
    maxConnectionsPerUser: str(s.maxConnectionsPerUser),
    presenceMaxRoomSize: str(s.presenceMaxRoomSize),
    fanOutShardThreshold: str(s.fanOutShardThreshold),
    fanOutShardSize: str(s.fanOutShardSize),
    fanOutMaxShards: str(s.fanOutMaxShards),
    fanOutShardConcurrency: str(s.fanOutShardConcurrency),
    allowLegacyTokens: str(s.allowLegacyTokens),
    requireIssAud: str(s.requireIssAud),
    clockToleranceSeconds: str(s.clockToleranceSeconds),
    accessLogs: str(s.accessLogs),
  };
}

/** serverless variable source: `${file(../../stages/settings.cjs):serverless}`. */
async function serverless({ options, resolveVariable }) {
  const stage = await resolveVariable('sls:stage');
  const file = stageFilePath(stage);
  // serverless's own YAML loader, so both services parse the file exactly as `pnpm stage` shows it.
  const declared = fs.existsSync(file) ? await resolveVariable(`file(${file})`) : null;
  return toServerless(resolveStageSettings(stage, declared, { region: options.region ?? undefined }));
}

module.exports = { DEFAULTS, StageSettingsError, resolveStageSettings, stageFilePath, toServerless, serverless };
