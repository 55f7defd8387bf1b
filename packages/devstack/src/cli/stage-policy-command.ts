import type { CloudFormationClient, CloudFormationClientConfig } from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, type STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import { createCloudFormationClient, createStsClient } from '@roomgate/shared/runtime';
import { isDevstackError, UsageError } from '../errors.ts';
import { stackNamesOf, stackOutputs } from '../smoke/stage-endpoints.ts';
import type { LoadedStage } from '../stage-settings.ts';
import { ACCOUNT_PLACEHOLDER, callerPolicy, deployerPolicy, HTTP_API_ID_PLACEHOLDER, type PolicyDocument } from '../stage-policy.ts';

/** What `pnpm stage policy` may ask AWS; tests point both at a fake endpoint. */
export interface PolicyAwsIo {
  stderr: (text: string) => void;
  createCloudFormationClient?: (config: CloudFormationClientConfig) => CloudFormationClient;
  createStsClient?: (config: STSClientConfig) => STSClient;
}

export interface PolicyRequest {
  kind: 'caller' | 'deployer';
  /** --account: wins over STS */
  account?: string;
  /** --api-id: wins over the stack output */
  apiId?: string;
}

const ACCOUNT_PATTERN = /^\d{12}$/;
const API_ID_PATTERN = /^[a-z0-9]{10}$/;

/** Throws UsageError for an --account or --api-id that no ARN could hold. */
export function checkPolicyFlags({ account, apiId }: PolicyRequest): void {
  if (account !== undefined && !ACCOUNT_PATTERN.test(account)) throw new UsageError(`--account must be 12 digits, got ${JSON.stringify(account)}`);
  if (apiId !== undefined && !API_ID_PATTERN.test(apiId)) throw new UsageError(`--api-id must be 10 characters of a-z and 0-9, got ${JSON.stringify(apiId)}`);
}

/**
 * The policy for the stage. The account: --account, else STS GetCallerIdentity in the stage's
 * region, else ACCOUNT_PLACEHOLDER; the HTTP API id (caller only): --api-id, else the token API
 * stack's HttpApiId output, else HTTP_API_ID_PLACEHOLDER. Each fallback is reported on stderr,
 * so stdout stays the JSON document alone.
 */
export async function stagePolicy({ stage, settings }: LoadedStage, request: PolicyRequest, io: PolicyAwsIo): Promise<PolicyDocument> {
  const region = settings.region;
  const account = request.account ?? (await lookup(io, 'account', ACCOUNT_PLACEHOLDER, () => callerAccount(io, region)));
  const httpApiId =
    request.kind === 'deployer'
      ? HTTP_API_ID_PLACEHOLDER
      : (request.apiId ?? (await lookup(io, 'HTTP API id', HTTP_API_ID_PLACEHOLDER, () => httpApiIdOf(io, region, stage))));
  const scope = { stage, region, account, httpApiId, accessLogs: settings.accessLogs };
  return request.kind === 'caller' ? callerPolicy(scope) : deployerPolicy(scope);
}

async function lookup(io: PolicyAwsIo, what: string, placeholder: string, find: () => Promise<string>): Promise<string> {
  try {
    return await find();
  } catch (error) {
    const why = isDevstackError(error) ? error.message : `${(error as Error).name}: ${(error as Error).message.split('\n')[0]}`;
    io.stderr(`stage: ${what} not resolved (${why}); printed as ${placeholder}: replace it, or pass it as a flag\n`);
    return placeholder;
  }
}

async function callerAccount(io: PolicyAwsIo, region: string): Promise<string> {
  const client = (io.createStsClient ?? createStsClient)({ region });
  try {
    const { Account } = await client.send(new GetCallerIdentityCommand({}));
    if (!Account || !ACCOUNT_PATTERN.test(Account)) throw new Error(`STS answered account ${JSON.stringify(Account)}`);
    return Account;
  } finally {
    client.destroy();
  }
}

async function httpApiIdOf(io: PolicyAwsIo, region: string, stage: string): Promise<string> {
  const client = (io.createCloudFormationClient ?? createCloudFormationClient)({ region });
  try {
    const stack = stackNamesOf(stage).tokenApi;
    const id = (await stackOutputs(client, stack)).HttpApiId;
    if (!id) throw new Error(`stack ${stack} has no HttpApiId output`);
    return id;
  } finally {
    client.destroy();
  }
}
