import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DevstackError } from '../errors.ts';

/** The CloudFormation stacks of a stage, named as the framework names them (`<service>-<stage>`). */
export const stackNamesOf = (stage: string): { socket: string; tokenApi: string } => ({
  socket: `roomgate-socket-${stage}`,
  tokenApi: `roomgate-token-api-${stage}`,
});

/** Where a deployed stage answers, read from its stacks' outputs. */
export interface StageEndpoints {
  /** the token API's HttpApiUrl output, `https://<id>.execute-api.<region>.amazonaws.com`, no trailing slash */
  tokenApiUrl: string;
  /** the token API's HttpApiId output (the Rooms API shares the HTTP API) */
  httpApiId: string;
  /** the socket stack's WebsocketUrl output, `wss://<id>.execute-api.<region>.amazonaws.com/<stage>` */
  socketUrl: string;
  /** the socket stack's WebsocketApiId output */
  websocketApiId: string;
}

/**
 * One stack's outputs by OutputKey (DescribeStacks). Throws ERR_STACK_NOT_FOUND when the stack
 * does not exist (CloudFormation answers a ValidationError "Stack with id … does not exist"), and
 * ERR_AWS_UNAVAILABLE for any other failure (credentials, network, throttling), with the SDK
 * error as `cause`.
 */
export async function stackOutputs(client: CloudFormationClient, stackName: string): Promise<Record<string, string>> {
  let stacks;
  try {
    ({ Stacks: stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName })));
  } catch (error) {
    const { name, message } = error as Error;
    if (name === 'ValidationError' && /does not exist/.test(message)) {
      throw new DevstackError('ERR_STACK_NOT_FOUND', `stack ${stackName} does not exist in this account and region (deploy it: pnpm stage deploy)`, {
        cause: error,
      });
    }
    throw new DevstackError('ERR_AWS_UNAVAILABLE', `CloudFormation DescribeStacks ${stackName} failed: ${name}: ${message}`, { cause: error });
  }
  const stack = stacks?.[0];
  if (!stack) throw new DevstackError('ERR_STACK_NOT_FOUND', `stack ${stackName} does not exist in this account and region`);
  return Object.fromEntries((stack.Outputs ?? []).flatMap((o) => (o.OutputKey && o.OutputValue !== undefined ? [[o.OutputKey, o.OutputValue]] : [])));
}

/**
 * Both stacks' endpoints of `stage`, from the client's region (pass a client built for the stage
 * file's region). Throws ERR_STACK_NOT_FOUND / ERR_AWS_UNAVAILABLE (see {@link stackOutputs}) and
 * ERR_STACK_OUTPUT_MISSING naming the stack and output when one is absent (a stack deployed by
 * another version of the templates).
 */
export async function resolveStageEndpoints(client: CloudFormationClient, stage: string): Promise<StageEndpoints> {
  const names = stackNamesOf(stage);
  const [tokenApi, socket] = await Promise.all([stackOutputs(client, names.tokenApi), stackOutputs(client, names.socket)]);
  const output = (outputs: Record<string, string>, stack: string, key: string): string => {
    const value = outputs[key];
    if (!value) throw new DevstackError('ERR_STACK_OUTPUT_MISSING', `stack ${stack} has no ${key} output; redeploy it with this version (pnpm stage deploy)`);
    return value;
  };
  return {
    tokenApiUrl: output(tokenApi, names.tokenApi, 'HttpApiUrl').replace(/\/+$/, ''),
    httpApiId: output(tokenApi, names.tokenApi, 'HttpApiId'),
    socketUrl: output(socket, names.socket, 'WebsocketUrl'),
    websocketApiId: output(socket, names.socket, 'WebsocketApiId'),
  };
}
