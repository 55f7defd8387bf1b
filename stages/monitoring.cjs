'use strict';
// The alarms and the dashboard of both services, per stage (docs/operations.md, Alarms: one
// runbook entry per alarm). Each serverless.yml names its resources one by one:
//   AlarmRefusedConnects: ${file(../../stages/monitoring.cjs):socketRefusedConnects}
// and each export below returns one CloudFormation resource. Thresholds and the optional SNS
// topic come from the stage file's `alarms` (stages/settings.cjs validates them). Plain CommonJS
// with CloudFormation intrinsics as objects ({ Ref }, { 'Fn::Join' }): no `${AWS::…}` strings,
// which serverless would read as its own variables.

/** The EMF namespace and dimensions written by @roomgate/shared/runtime's createMetrics. */
const NAMESPACE = 'Roomgate';
const PERIOD = 300;

/**
 * A variable source (`${file(…):name}`) from `build(stage, settings)`: the stage and its
 * settings (stages/settings.cjs, as serverless.yml exposes them) resolved once, for every export.
 */
function perStage(build) {
  return async ({ resolveVariable }) => {
    const [stage, settings] = await Promise.all([resolveVariable('sls:stage'), resolveVariable('self:custom.settings')]);
    return build(stage, settings);
  };
}

/** Alarm and OK notifications go to the stage's topic when it names one; the alarm exists either way. */
function actions(topicArn) {
  return topicArn ? { AlarmActions: [topicArn], OKActions: [topicArn] } : {};
}

function roomgateMetric(id, name, service, stage, stat = 'Sum') {
  return {
    Id: id,
    ReturnData: false,
    MetricStat: {
      Metric: {
        Namespace: NAMESPACE,
        MetricName: name,
        Dimensions: [
          { Name: 'service', Value: service },
          { Name: 'stage', Value: stage },
        ],
      },
      Period: PERIOD,
      Stat: stat,
    },
  };
}

function awsMetric(id, namespace, name, dimensions, stat = 'Sum') {
  return { Id: id, ReturnData: false, MetricStat: { Metric: { Namespace: namespace, MetricName: name, Dimensions: dimensions }, Period: PERIOD, Stat: stat } };
}

function expression(id, text, label) {
  return { Id: id, Expression: text, Label: label, ReturnData: true };
}

function alarm({ name, description, metrics, threshold, settings, evaluationPeriods = 1 }) {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: name,
      AlarmDescription: description,
      Metrics: metrics,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: threshold,
      EvaluationPeriods: evaluationPeriods,
      DatapointsToAlarm: evaluationPeriods,
      // No traffic is not an incident: a quiet stage stays OK.
      TreatMissingData: 'notBreaching',
      ...actions(settings.alarms.topicArn),
    },
  };
}

const lambdaMetric = (id, name, logicalId) => awsMetric(id, 'AWS/Lambda', name, [{ Name: 'FunctionName', Value: { Ref: logicalId } }]);

/** FILL(m, 0) for each id, summed: one alarm over several functions, missing datapoints as 0. */
const sumOf = (ids) => ids.map((id) => `FILL(${id}, 0)`).join(' + ');

function lambdaErrorsAlarm(service, stage, settings, functions) {
  const ids = functions.map((_, i) => `e${i}`);
  return alarm({
    name: `${service}-${stage}-lambda-errors`,
    description: `${service} (${stage}): a function failed (uncaught error, timeout, init failure). Runbook: docs/operations.md, "lambda-errors".`,
    metrics: [...functions.map((fn, i) => lambdaMetric(ids[i], 'Errors', fn)), expression('errors', sumOf(ids), 'Lambda errors')],
    threshold: 1,
    settings,
  });
}

function throttlesAlarm(service, stage, settings, functions) {
  const ids = functions.map((_, i) => `t${i}`);
  return alarm({
    name: `${service}-${stage}-throttles`,
    description: `${service} (${stage}): Lambda throttled an invocation, DynamoDB / Secrets Manager throttled a call after the SDK's retries, or API Gateway throttled a fan-out shard's posts. Runbook: docs/operations.md, "throttles".`,
    metrics: [
      ...functions.map((fn, i) => lambdaMetric(ids[i], 'Throttles', fn)),
      roomgateMetric('aws', 'Throttles', service, stage),
      expression('throttles', `${sumOf(ids)} + FILL(aws, 0)`, 'Lambda and AWS throttles'),
    ],
    threshold: 1,
    settings,
  });
}

function keyLoadAlarm(service, stage, settings) {
  return alarm({
    name: `${service}-${stage}-key-load-failures`,
    description: `${service} (${stage}): keys or API keys could not be loaded from Secrets Manager. Runbook: docs/operations.md, "key-load-failures".`,
    metrics: [roomgateMetric('m', 'KeyLoadFailures', service, stage), expression('failures', 'FILL(m, 0)', 'key-load failures')],
    threshold: 1,
    settings,
  });
}

function deliveryFailureAlarm(service, stage, settings) {
  return alarm({
    name: `${service}-${stage}-delivery-failures`,
    description: `${service} (${stage}): more than ${settings.alarms.deliveryFailurePercent}% of posts to live connections failed (not 410) for 10 minutes. Runbook: docs/operations.md, "delivery-failures".`,
    metrics: [
      roomgateMetric('d', 'Deliveries', service, stage),
      roomgateMetric('f', 'DeliveryFailed', service, stage),
      expression('ratio', 'IF(FILL(d, 0) + FILL(f, 0) > 0, 100 * FILL(f, 0) / (FILL(d, 0) + FILL(f, 0)), 0)', 'failed posts, %'),
    ],
    threshold: settings.alarms.deliveryFailurePercent,
    evaluationPeriods: 2,
    settings,
  });
}

const SOCKET = 'roomgate-socket';
const TOKEN_API = 'roomgate-token-api';
const SOCKET_FUNCTIONS = ['ConnectLambdaFunction', 'DisconnectLambdaFunction', 'DefaultLambdaFunction', 'FanOutShardLambdaFunction'];
const TOKEN_API_FUNCTIONS = ['ApiLambdaFunction', 'RoomsLambdaFunction'];

/** A metric widget of the dashboard; `metrics` in CloudWatch's dashboard body syntax. */
function widget(title, metrics, x, y, { stat = 'Sum', view = 'timeSeries' } = {}) {
  return { type: 'metric', x, y, width: 12, height: 6, properties: { title, metrics, stat, period: PERIOD, view, region: '__REGION__' } };
}

/**
 * The dashboard's body as JSON with the region and the function / API ids spliced in by
 * Fn::Join (the ids are only known to CloudFormation). `__REF:<LogicalId>__` and `__REGION__`
 * mark the places.
 */
function dashboard(name, widgets) {
  const json = JSON.stringify({ widgets });
  const parts = json.split(/(__REGION__|__REF:[A-Za-z0-9]+__)/).map((part) => {
    if (part === '__REGION__') return { Ref: 'AWS::Region' };
    const ref = /^__REF:([A-Za-z0-9]+)__$/.exec(part);
    return ref ? { Ref: ref[1] } : part;
  });
  return { Type: 'AWS::CloudWatch::Dashboard', Properties: { DashboardName: name, DashboardBody: { 'Fn::Join': ['', parts] } } };
}

const emf = (name, service, stage, extra = {}) => [NAMESPACE, name, 'service', service, 'stage', stage, extra];
const byDimension = (name, service, stage, dimension) => [
  {
    expression: `SEARCH('{${NAMESPACE},service,stage,${dimension}} MetricName="${name}" service="${service}" stage="${stage}"', 'Sum', ${PERIOD})`,
    label: `${name} by ${dimension}`,
  },
];
/** The dashboard row (y = 6) both services share: publish and delivery counts, then publish latency. */
const publishWidgets = (title, service, stage) => [
  widget(
    title,
    ['Publishes', 'PublishesQueued', 'Deliveries', 'DeliveryFailed', 'DeliveryStale'].map((name) => emf(name, service, stage)),
    0,
    6,
  ),
  widget(
    'Publish → last delivery (ms, p50 / p99)',
    [emf('PublishLatency', service, stage, { stat: 'p50' }), emf('PublishLatency', service, stage, { stat: 'p99' })],
    12,
    6,
  ),
];
const perFunction = (metric, functions) => functions.map((fn) => ['AWS/Lambda', metric, 'FunctionName', `__REF:${fn}__`]);

module.exports = {
  socketRefusedConnects: perStage((stage, settings) =>
    alarm({
      name: `${SOCKET}-${stage}-refused-connects`,
      description: `roomgate socket (${stage}): at least ${settings.alarms.refusedConnectsPer5Minutes} connections refused in 5 minutes (any code). Runbook: docs/operations.md, "refused-connects".`,
      metrics: [roomgateMetric('m', 'ConnectRefused', SOCKET, stage), expression('refused', 'FILL(m, 0)', 'refused connects')],
      threshold: settings.alarms.refusedConnectsPer5Minutes,
      settings,
    }),
  ),
  socketDeliveryFailures: perStage((stage, settings) => deliveryFailureAlarm(SOCKET, stage, settings)),
  socketKeyLoadFailures: perStage((stage, settings) => keyLoadAlarm(SOCKET, stage, settings)),
  socketLambdaErrors: perStage((stage, settings) => lambdaErrorsAlarm(SOCKET, stage, settings, SOCKET_FUNCTIONS)),
  socketThrottles: perStage((stage, settings) => throttlesAlarm(SOCKET, stage, settings, SOCKET_FUNCTIONS)),
  socketDashboard: perStage((stage) =>
    dashboard(`${SOCKET}-${stage}`, [
      widget('Connects: accepted and refused', [emf('ConnectAccepted', SOCKET, stage), emf('ConnectRefused', SOCKET, stage)], 0, 0),
      widget('Refused connects by code', byDimension('ConnectRefused', SOCKET, stage, 'code'), 12, 0),
      ...publishWidgets('Publishes and deliveries', SOCKET, stage),
      widget(
        'Recovery, rate limits, bans and revocations',
        [emf('HistoryReads', SOCKET, stage), emf('PublishRateLimited', SOCKET, stage), emf('AccessRefused', SOCKET, stage)],
        0,
        12,
      ),
      widget('Key-load failures and throttles', [emf('KeyLoadFailures', SOCKET, stage), emf('Throttles', SOCKET, stage)], 12, 12),
      widget('Lambda errors and throttles', [...perFunction('Errors', SOCKET_FUNCTIONS), ...perFunction('Throttles', SOCKET_FUNCTIONS)], 0, 18),
      widget('Lambda duration (p99, ms)', perFunction('Duration', SOCKET_FUNCTIONS), 12, 18, { stat: 'p99' }),
      // API Gateway's own view of the WebSocket API (its stage is the serverless stage).
      widget(
        'WebSocket API: connects, messages and errors',
        ['ConnectCount', 'MessageCount', 'IntegrationError', 'ClientError', 'ExecutionError'].map((name) => [
          'AWS/ApiGateway',
          name,
          'ApiId',
          '__REF:WebsocketsApi__',
          'Stage',
          stage,
        ]),
        0,
        24,
      ),
      widget('Fan-out shards by outcome (large rooms)', byDimension('FanOutShards', SOCKET, stage, 'outcome'), 12, 24),
    ]),
  ),

  tokenApi5xxRate: perStage((stage, settings) => {
    // HTTP APIs publish per API and stage; serverless deploys the HTTP API to `$default`.
    const api = [
      { Name: 'ApiId', Value: { Ref: 'HttpApi' } },
      { Name: 'Stage', Value: '$default' },
    ];
    return alarm({
      name: `${TOKEN_API}-${stage}-5xx-rate`,
      description: `roomgate token API (${stage}): more than ${settings.alarms.tokenApi5xxPercent}% of requests answered 5xx for 10 minutes. Runbook: docs/operations.md, "token-api-5xx".`,
      metrics: [
        awsMetric('errors', 'AWS/ApiGateway', '5xx', api),
        awsMetric('requests', 'AWS/ApiGateway', 'Count', api),
        expression('rate', 'IF(FILL(requests, 0) > 0, 100 * FILL(errors, 0) / requests, 0)', '5xx, %'),
      ],
      threshold: settings.alarms.tokenApi5xxPercent,
      evaluationPeriods: 2,
      settings,
    });
  }),
  tokenApiKeyLoadFailures: perStage((stage, settings) => keyLoadAlarm(TOKEN_API, stage, settings)),
  tokenApiDeliveryFailures: perStage((stage, settings) => deliveryFailureAlarm(TOKEN_API, stage, settings)),
  tokenApiLambdaErrors: perStage((stage, settings) => lambdaErrorsAlarm(TOKEN_API, stage, settings, TOKEN_API_FUNCTIONS)),
  tokenApiThrottles: perStage((stage, settings) => throttlesAlarm(TOKEN_API, stage, settings, TOKEN_API_FUNCTIONS)),
  tokenApiDashboard: perStage((stage) => {
    const api = ['ApiId', '__REF:HttpApi__', 'Stage', '$default'];
    return dashboard(`${TOKEN_API}-${stage}`, [
      widget(
        'Requests, 4xx and 5xx',
        [
          ['AWS/ApiGateway', 'Count', ...api],
          ['AWS/ApiGateway', '4xx', ...api],
          ['AWS/ApiGateway', '5xx', ...api],
        ],
        0,
        0,
      ),
      widget('Tokens issued by caller kind', byDimension('TokensIssued', TOKEN_API, stage, 'callerKind'), 12, 0),
      ...publishWidgets('Server publishes and deliveries', TOKEN_API, stage),
      widget('Key-load failures and throttles', [emf('KeyLoadFailures', TOKEN_API, stage), emf('Throttles', TOKEN_API, stage)], 0, 12),
      widget('Lambda errors and throttles', [...perFunction('Errors', TOKEN_API_FUNCTIONS), ...perFunction('Throttles', TOKEN_API_FUNCTIONS)], 12, 12),
      widget('HTTP latency (p99, ms)', [['AWS/ApiGateway', 'Latency', ...api]], 0, 18, { stat: 'p99' }),
    ]);
  }),
};
