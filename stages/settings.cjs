'use strict';
// The settings of a stage, declared once in stages/<stage>.yml and read by both services'
// serverless.yml (`${file(../../stages/settings.cjs):serverless}`) and by `pnpm stage`. A stage
// without a file gets the defaults below, so `sls package --stage <any>` works on a fresh clone.
// Plain CommonJS: serverless loads it with require(), without a TypeScript loader.
const fs = require('node:fs');
const path = require('node:path');

const STAGES_DIR = path.resolve(__dirname);
const STAGE_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;
// The AWS partitions and their regions, from the SDK's endpoint data (@aws-sdk/core,
// util-endpoints/lib/aws/partitions.js, 3.981): a region outside these lists is refused, so a typo
// such as "us-east1" or "xx-fake-1" fails packaging instead of at the first AWS call. A region that
// launched later matches its partition's pattern: add it here.
const PARTITIONS = Object.freeze([
  {
    id: 'aws',
    pattern: /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/,
    regions: [
      ...['af-south-1', 'ap-east-1', 'ap-east-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-south-2'],
      ...['ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7'],
      ...['ca-central-1', 'ca-west-1', 'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-2'],
      ...['eu-west-3', 'il-central-1', 'me-central-1', 'me-south-1', 'me-west-1', 'mx-central-1', 'sa-east-1', 'sa-west-1'],
      ...['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2'],
    ],
  },
  { id: 'aws-cn', pattern: /^cn-\w+-\d+$/, regions: ['cn-north-1', 'cn-northwest-1'] },
  { id: 'aws-us-gov', pattern: /^us-gov-\w+-\d+$/, regions: ['us-gov-east-1', 'us-gov-west-1'] },
  { id: 'aws-iso', pattern: /^us-iso-\w+-\d+$/, regions: ['us-iso-east-1', 'us-iso-west-1'] },
  { id: 'aws-iso-b', pattern: /^us-isob-\w+-\d+$/, regions: ['us-isob-east-1', 'us-isob-west-1'] },
  { id: 'aws-iso-e', pattern: /^eu-isoe-\w+-\d+$/, regions: ['eu-isoe-west-1'] },
  { id: 'aws-iso-f', pattern: /^us-isof-\w+-\d+$/, regions: ['us-isof-east-1', 'us-isof-south-1'] },
  { id: 'aws-eusc', pattern: /^eusc-de-\w+-\d+$/, regions: ['eusc-de-east-1'] },
]);
// Checked most specific first: the commercial pattern also matches us-gov-west-1 and us-iso-east-1.
const PARTITIONS_BY_SPECIFICITY = [...PARTITIONS.slice(1), PARTITIONS[0]];
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
  alarms: { topicArn: null, refusedConnectsPer5Minutes: 100, deliveryFailurePercent: 5, tokenApi5xxPercent: 5 },
});
// arn:<partition>:sns:<region>:<account>:<topic>; partition and region are checked against the stage's (PARTITIONS).
const SNS_TOPIC_ARN = /^arn:(aws[a-z-]*):sns:([a-z0-9-]+):\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

// The devstack's stage: `pnpm dev` and the tests run it under serverless-offline, where
// serverless.yml's `local` params point every function at local endpoints (dynalite, the local
// Secrets Manager, ws://127.0.0.1) with API-key callers. Packaged for AWS it would carry those, so
// it is refused everywhere but `sls offline`.
const LOCAL_STAGE = 'local';

// Settings that existed as environment variables and were removed: the socket stack is always the
// same stage, account and region as the token API (its exports are imported by name).
const REMOVED = {
  socketStage: "the socket stage is always the token API's stage (its keys, exports and ARNs are the stage's own)",
  socketRegion: 'both services deploy to the stage\'s "region"',
  socketApiId: "the socket API id always comes from the socket stack's WebsocketApiId export",
};

class StageSettingsError extends Error {
  /**
   * @param {string} stage
   * @param {string[]} problems
   * @param {boolean} [declared] false: the stage has no file (the message must not name one as if it existed)
   */
  constructor(stage, problems, declared = true) {
    super(`${declared ? `stages/${stage}.yml` : `stage ${stage} (no stages/${stage}.yml: the defaults)`}: ${problems.join('; ')}`);
    this.name = 'StageSettingsError';
    this.code = 'ERR_STAGE_SETTINGS';
    this.problems = problems;
  }
}

/** The file a stage's settings are read from; ROOMGATE_STAGES_DIR points tests at their own folder. */
function stageFilePath(stage, env = process.env) {
  return path.join(env.ROOMGATE_STAGES_DIR ? path.resolve(env.ROOMGATE_STAGES_DIR) : STAGES_DIR, `${stage}.yml`);
}

/** The partition of a known region ('aws', 'aws-cn', 'aws-us-gov', …), or undefined. */
function partitionOf(region) {
  return PARTITIONS.find((p) => p.regions.includes(region))?.id;
}

/**
 * Problems with a stage file's text before any parser sees it. serverless resolves `${…}`
 * variables in whatever file() loads (`${env:…}`, `${sls:stage}`, `${opt:…}`), so such a value
 * would depend on the deployer's shell while `pnpm stage show` printed it literally. Full-line
 * comments are skipped (YAML drops them before the resolver runs).
 * @param {string} text the file's content
 * @returns {string[]}
 */
function textProblems(text) {
  const problems = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (/^\s*#/.test(line) || !line.includes('${')) return;
    problems.push(
      `line ${i + 1}: "\${…}" variables are not allowed in a stage file (serverless would resolve them from the shell or the command line): write the value itself`,
    );
  });
  return problems;
}

/**
 * Validates a stage's declared settings (the parsed YAML, or null when the stage has no file) and
 * fills in defaults. Throws StageSettingsError (code ERR_STAGE_SETTINGS) listing every problem.
 * Durations are in seconds, retention in days, throttle limits in requests per second (rate) and
 * requests (burst), as API Gateway's ThrottlingRateLimit / ThrottlingBurstLimit.
 * @param {string} stage
 * @param {Record<string, unknown> | null} declared
 * The stage `local` is refused unless options.offline (serverless-offline's own stage, see LOCAL_STAGE).
 * @param {{ region?: string, text?: string, offline?: boolean }} [options] region: a --region given
 *   on the command line, must match; text: the file's content, checked for `${…}` variables;
 *   offline: the caller is `sls offline`.
 */
function resolveStageSettings(stage, declared, options = {}) {
  const hasFile = options.text !== undefined || (declared !== null && declared !== undefined);
  const fail = (problems) => {
    throw new StageSettingsError(stage, problems, hasFile);
  };
  if (stage === LOCAL_STAGE && !options.offline) {
    fail([
      'stage "local" is the devstack\'s (pnpm dev, sls offline --stage local): serverless.yml gives it local endpoints, API-key callers and a ws:// URL for serverless-offline, not stages/local.yml; it cannot be shown, packaged or deployed: use another stage name',
    ]);
  }
  const problems = options.text === undefined ? [] : textProblems(options.text);
  if (!STAGE_PATTERN.test(stage))
    problems.push(`invalid stage ${JSON.stringify(stage)}: use 1-32 characters of a-z, 0-9 and -, starting with a letter or digit`);
  if (declared !== null && declared !== undefined && !isMapping(declared)) fail([...problems, 'must be a mapping of setting: value']);
  const raw = declared ?? {};
  for (const key of Object.keys(raw)) {
    if (key in REMOVED) problems.push(`"${key}" is no longer a setting: ${REMOVED[key]}`);
    else if (!(key in DEFAULTS)) problems.push(`unknown setting "${key}" (known: ${Object.keys(DEFAULTS).join(', ')})`);
  }
  // Nested mappings are checked key by key at every level before the defaults fill them in: a
  // mistyped key (`throttle: {websocket: …}`) or a scalar where a mapping belongs (`throttle: 5`)
  // must fail, not leave the defaults in place.
  const nested = (name, value, known) => {
    if (value === undefined) return {};
    if (!isMapping(value)) {
      problems.push(`${name} must be a mapping of ${known.join(', ')}, got ${JSON.stringify(value)}`);
      return {};
    }
    for (const key of Object.keys(value)) if (!known.includes(key)) problems.push(`unknown setting ${name}.${key} (known: ${known.join(', ')})`);
    return value;
  };
  const throttle = nested('throttle', raw.throttle, ['socket', 'tokenApi']);
  const limits = (api) => nested(`throttle.${api}`, throttle[api], ['rateLimit', 'burstLimit']);
  const s = {
    ...DEFAULTS,
    ...raw,
    throttle: { socket: { ...DEFAULTS.throttle.socket, ...limits('socket') }, tokenApi: { ...DEFAULTS.throttle.tokenApi, ...limits('tokenApi') } },
    reservedConcurrency: { ...DEFAULTS.reservedConcurrency, ...nested('reservedConcurrency', raw.reservedConcurrency, FUNCTIONS) },
    alarms: { ...DEFAULTS.alarms, ...nested('alarms', raw.alarms, Object.keys(DEFAULTS.alarms)) },
  };
  const int = (name, value, min, max) => {
    if (!Number.isInteger(value) || value < min || value > max)
      problems.push(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  };
  const bool = (name) => {
    if (typeof s[name] !== 'boolean') problems.push(`${name} must be true or false, got ${JSON.stringify(s[name])}`);
  };
  const text = (name) => {
    // Blank counts as empty: a token's iss or aud of "   " matches nothing anyone means.
    if (typeof s[name] !== 'string' || s[name].trim() === '') problems.push(`${name} must be a non-empty string, got ${JSON.stringify(s[name])}`);
  };

  const partition = typeof s.region === 'string' ? partitionOf(s.region) : undefined;
  if (partition === undefined) {
    const like = typeof s.region === 'string' ? PARTITIONS_BY_SPECIFICITY.find((p) => p.pattern.test(s.region)) : undefined;
    problems.push(
      like
        ? `region ${JSON.stringify(s.region)} is not a known region of the ${like.id} partition (${like.regions.join(', ')}); if AWS launched it recently, add it to PARTITIONS in stages/settings.cjs`
        : `region must be an AWS region such as us-east-1, got ${JSON.stringify(s.region)}`,
    );
  }
  if (options.region !== undefined && options.region !== s.region) {
    problems.push(
      `--region ${options.region} differs from the stage's region ${s.region}: keys and both stacks must share one region; ${hasFile ? 'change "region" in the stage file' : `declare "region: ${options.region}" in stages/${stage}.yml`} instead`,
    );
  }
  if (!['iam', 'api-key'].includes(s.callerAuth)) problems.push(`callerAuth must be "iam" or "api-key", got ${JSON.stringify(s.callerAuth)}`);
  if (typeof s.iamCallers !== 'object' || s.iamCallers === null || Array.isArray(s.iamCallers)) {
    problems.push('iamCallers must be a mapping of role or user ARN: [room patterns]');
  } else {
    for (const [arn, patterns] of Object.entries(s.iamCallers)) {
      const match = /^arn:(aws[a-z-]*):iam::\d{12}:(role|user)\/\S+$/.exec(arn);
      if (!match) problems.push(`iamCallers: ${JSON.stringify(arn)} is not an IAM role or user ARN (arn:aws:iam::<account>:role/<name>)`);
      else if (partition !== undefined && match[1] !== partition)
        problems.push(`iamCallers: ${JSON.stringify(arn)} is in partition ${match[1]}, the stage's region ${s.region} in ${partition}`);
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
    int(`throttle.${api}.rateLimit`, s.throttle[api].rateLimit, 1, 10_000);
    int(`throttle.${api}.burstLimit`, s.throttle[api].burstLimit, 1, 5_000);
  }
  for (const [fn, value] of Object.entries(s.reservedConcurrency)) if (value !== null) int(`reservedConcurrency.${fn}`, value, 1, 10_000);
  // alarms: a mapping of known keys (checked by `nested` above).
  if (s.alarms.topicArn !== null) {
    const topic = typeof s.alarms.topicArn === 'string' ? SNS_TOPIC_ARN.exec(s.alarms.topicArn) : null;
    if (!topic)
      problems.push(`alarms.topicArn must be null or an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>), got ${JSON.stringify(s.alarms.topicArn)}`);
    else if (topic[2] !== s.region) problems.push(`alarms.topicArn must be in the stage's region ${s.region} (CloudWatch notifies topics of its own region)`);
    else if (partition !== undefined && topic[1] !== partition)
      problems.push(`alarms.topicArn ${JSON.stringify(s.alarms.topicArn)} is in partition ${topic[1]}, the stage's region ${s.region} in ${partition}`);
  }
  int('alarms.refusedConnectsPer5Minutes', s.alarms.refusedConnectsPer5Minutes, 1, 1_000_000);
  int('alarms.deliveryFailurePercent', s.alarms.deliveryFailurePercent, 1, 100);
  int('alarms.tokenApi5xxPercent', s.alarms.tokenApi5xxPercent, 1, 100);
  // IAM role names are at most 64 characters (IAM quotas), Lambda function names too: the longest
  // names the two services derive from stage and region.
  if (problems.length === 0) {
    for (const [what, name] of Object.entries(derivedNames(stage, s.region))) {
      if (name.length > 64)
        problems.push(`stage "${stage}" in ${s.region} makes the ${what} "${name}" ${name.length} characters long; AWS allows 64: use a shorter stage name`);
    }
  }
  if (problems.length > 0) fail(problems);
  return s;
}

/** A YAML mapping: a plain object, not null, not a list. */
function isMapping(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What a deployer must hear before a deploy of these settings (shown by `pnpm stage show|deploy`
 * and printed by `sls package`/`deploy` of the token API): settings that are valid but refuse everyone.
 * @returns {string[]}
 */
function stageWarnings(s) {
  return s.callerAuth === 'iam' && Object.keys(s.iamCallers).length === 0
    ? ['callerAuth is iam and iamCallers is empty: every token and Rooms API request is refused (403)']
    : [];
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

/**
 * The serverless command being run (`offline`, `package`, `deploy`, …): the first argument that is
 * not an option. The variable source is not told the command; every invocation in this repository
 * puts it first, and one that does not (`sls --stage local offline`) is refused, never let through.
 */
function serverlessCommand(argv = process.argv) {
  return argv.slice(2).find((arg) => !arg.startsWith('-'));
}

/**
 * serverless variable source: `${file(../../stages/settings.cjs):serverless}`. A bad stage file
 * fails with one line: osls prints a rejection's `stack` inside its own (user) error, so the
 * settings error's stack is cut to its message.
 */
async function serverless({ options, resolveVariable }) {
  const stage = await resolveVariable('sls:stage');
  const file = stageFilePath(stage);
  const offline = serverlessCommand() === 'offline';
  try {
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    // Checked before serverless's own YAML loader (the same one both services and `pnpm stage`
    // parse with) resolves any variable in it.
    const problems = text === undefined ? [] : textProblems(text);
    if (problems.length > 0) throw new StageSettingsError(stage, problems);
    const declared = text === undefined ? null : await resolveVariable(`file(${file})`);
    const settings = resolveStageSettings(stage, declared, { region: options.region ?? undefined, offline, ...(text !== undefined && { text }) });
    if (!offline && (await resolveVariable('self:service')) === 'roomgate-token-api') {
      for (const warning of stageWarnings(settings)) process.stderr.write(`Warning: stage ${stage}: ${warning}\n`);
    }
    return toServerless(settings);
  } catch (error) {
    if (error instanceof StageSettingsError) error.stack = error.message;
    throw error;
  }
}

module.exports = {
  DEFAULTS,
  LOCAL_STAGE,
  PARTITIONS,
  StageSettingsError,
  partitionOf,
  resolveStageSettings,
  serverless,
  serverlessCommand,
  stageFilePath,
  stageWarnings,
  textProblems,
  toServerless,
};
