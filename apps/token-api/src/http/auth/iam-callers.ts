import { parseRoomPattern, roomPatternProblem, type RoomPattern } from '@roomgate/shared/auth';

/** Normalised IAM principal ARN → the room patterns that principal may issue tokens for. */
export type IamCallerMap = ReadonlyMap<string, readonly RoomPattern[]>;

/** The caller API Gateway authenticated with SigV4 (`requestContext.authorizer.iam`). */
export interface IamIdentity {
  userArn: string;
  accountId?: string;
  callerId?: string;
}

const PARTITION = 'aws[a-z-]*';
const ACCOUNT = '\\d{12}';
const NAME = '[\\w+=,.@-]{1,64}';
const PATH = '(?:/[\\x21-\\x7e]{0,510})?/';
const ROLE = new RegExp(`^arn:(${PARTITION}):iam::(${ACCOUNT}):role${PATH}(${NAME})$`);
const ASSUMED_ROLE = new RegExp(`^arn:(${PARTITION}):sts::(${ACCOUNT}):assumed-role/(${NAME})/[\\w+=,.@-]{2,64}$`);
const USER = new RegExp(`^arn:(${PARTITION}):iam::(${ACCOUNT}):user${PATH}${NAME}$`);

/**
 * The principal a grant is keyed by. A role session (`arn:aws:sts::…:assumed-role/R/session`) is
 * the role `arn:aws:iam::…:role/R`; a role ARN with a path drops the path, because an assumed-role
 * ARN does not carry it (role names are unique per account, so nothing becomes ambiguous). An
 * IAM user ARN is kept as it is. Anything else (root, federated users) is not a mappable caller.
 */
export function normalisePrincipalArn(arn: string): string | undefined {
  const role = ROLE.exec(arn) ?? ASSUMED_ROLE.exec(arn);
  if (role) return `arn:${role[1]}:iam::${role[2]}:role/${role[3]}`;
  if (USER.test(arn)) return arn;
  return undefined;
}

/**
 * Parses `IAM_CALLERS`: a JSON object mapping a role or user ARN to room patterns, e.g.
 * `{"arn:aws:iam::123456789012:role/chat-backend": ["chat-*", "lobby"]}`. Throws a TypeError
 * naming the first bad entry.
 */
export function parseIamCallers(value: unknown): IamCallerMap {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError('must be a JSON object {"<role or user ARN>": ["<room pattern>", …]}');
  }
  const callers = new Map<string, RoomPattern[]>();
  for (const [arn, patterns] of Object.entries(value)) {
    const principal = normalisePrincipalArn(arn);
    if (principal === undefined) throw new TypeError(`${JSON.stringify(arn)} is not an IAM role, assumed-role or user ARN`);
    if (callers.has(principal)) throw new TypeError(`${JSON.stringify(arn)} names the same principal as an earlier entry`);
    if (!Array.isArray(patterns) || patterns.length === 0) throw new TypeError(`${JSON.stringify(arn)} needs a non-empty array of room patterns`);
    const problem = patterns.map(roomPatternProblem).find((p) => p !== undefined);
    if (problem !== undefined) throw new TypeError(`${JSON.stringify(arn)}: ${problem}`);
    callers.set(principal, (patterns as string[]).map(parseRoomPattern));
  }
  return callers;
}

/**
 * Reads the SigV4 caller from an API Gateway HTTP API event (payload format 2.0). Only the Lambda
 * event is trusted for this, never a request header: API Gateway fills it in after checking the
 * signature. REST API (payload 1.0) events are not read: this service is deployed as an HTTP API.
 */
export function iamIdentityFromEvent(event: unknown): IamIdentity | undefined {
  const context = (event as { requestContext?: { authorizer?: { iam?: Record<string, unknown> } } } | null | undefined)?.requestContext;
  const iam = context?.authorizer?.iam;
  if (!iam || typeof iam.userArn !== 'string' || iam.userArn === '') return undefined;
  return {
    userArn: iam.userArn,
    ...(typeof iam.accountId === 'string' && { accountId: iam.accountId }),
    ...(typeof iam.callerId === 'string' && { callerId: iam.callerId }),
  };
}
