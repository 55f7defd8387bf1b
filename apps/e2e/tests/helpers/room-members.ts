import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { createRoomClient, type RecoveryEvent, type RoomClient, type RoomClientOptions, type RoomMessage } from '@roomgate/client';
import { localClientConfig } from '@roomgate/local-aws';
import { WebSocket } from 'ws';
import type { Banner } from './dev-process.ts';

/** What a test needs of a running `pnpm dev`: the banner, the socket port and the connections table. */
export interface DevStack {
  banner: Banner;
  /** serverless-offline serves the management API (`/@connections/{id}`) on the websocket port. */
  managementEndpoint: string;
  dynamo: DynamoDBClient;
  connectionsTable: string;
}

/** The connections table as the banner names it (`DynamoDB  <url>  tables <connections>, <rooms>`). */
export function devStackOf(banner: Banner, output: string): DevStack {
  const match = /^ {2}DynamoDB +(http:\/\/\S+) +tables ([^,\s]+),/m.exec(output);
  if (!match) throw new Error(`banner names no DynamoDB tables:\n${output}`);
  const socket = new URL(banner.socketUrl);
  return {
    banner,
    managementEndpoint: `http://${socket.host}`,
    dynamo: new DynamoDBClient(localClientConfig(match[1]!)),
    connectionsTable: match[2]!,
  };
}

/** A backend publishing through the Rooms API with the dev API key; resolves with the 200 body. */
export async function postToRoom(
  stack: DevStack,
  roomId: string,
  data: unknown,
  options: { excludeUserId?: string } = {},
): Promise<{ seq: number; epoch: string; delivered: number }> {
  const response = await fetch(`${stack.banner.tokenApiUrl}/v1/rooms/${encodeURIComponent(roomId)}/messages`, {
    method: 'POST',
    headers: { 'x-api-key': stack.banner.devApiKey, 'content-type': 'application/json' },
    body: JSON.stringify({ data, ...options }),
  });
  const body = (await response.json()) as { seq: number; epoch: string; delivered: number };
  if (response.status !== 200) throw new Error(`POST messages answered ${response.status}: ${JSON.stringify(body)}`);
  return body;
}

/** The ids of `userId`'s rows in the room, newest `connectedAt` first (the byRoom index, as fan-out reads it). */
export async function connectionIds(stack: DevStack, roomId: string, userId: string): Promise<string[]> {
  const { Items = [] } = await stack.dynamo.send(
    new QueryCommand({
      TableName: stack.connectionsTable,
      IndexName: 'byRoom',
      KeyConditionExpression: 'roomId = :r',
      FilterExpression: 'userId = :u',
      ExpressionAttributeValues: { ':r': { S: roomId }, ':u': { S: userId } },
    }),
  );
  return Items.sort((a, b) => Number(b.connectedAt?.N ?? 0) - Number(a.connectedAt?.N ?? 0)).map((item) => item.connectionId!.S!);
}

/** The management API's DeleteConnection, as a backend or API Gateway itself closes a socket. */
export async function deleteConnection(stack: DevStack, connectionId: string): Promise<number> {
  const response = await fetch(`${stack.managementEndpoint}/@connections/${encodeURIComponent(connectionId)}`, { method: 'DELETE' });
  return response.status;
}

/**
 * Takes a connection's row out of the table (fan-out then skips it, as it skips a member whose
 * post failed) and returns a function that puts it back unchanged.
 */
export async function hideRow(stack: DevStack, connectionId: string): Promise<() => Promise<void>> {
  const key = { connectionId: { S: connectionId } };
  const { Item } = await stack.dynamo.send(new GetItemCommand({ TableName: stack.connectionsTable, Key: key, ConsistentRead: true }));
  if (!Item) throw new Error(`no row for ${connectionId}`);
  await stack.dynamo.send(new DeleteItemCommand({ TableName: stack.connectionsTable, Key: key }));
  return async () => {
    await stack.dynamo.send(new PutItemCommand({ TableName: stack.connectionsTable, Item: Item as Record<string, AttributeValue> }));
  };
}

/** One application on `@roomgate/client` over `ws`, with everything it saw recorded. */
export interface Member {
  userId: string;
  client: RoomClient;
  /** what the application received, in the order it received it */
  messages: RoomMessage[];
  recoveries: RecoveryEvent[];
  /** times the client reached `open` */
  opens: number;
  /** every frame the socket received, before the client's sequencer (what the wire carried) */
  frames: Array<{ type: string; seq?: number; messages?: Array<{ seq: number }> }>;
}

export async function startMember(stack: DevStack, roomId: string, userId: string, options: Partial<RoomClientOptions> = {}): Promise<Member> {
  const frames: Member['frames'] = [];
  // Records the wire under the client: `ws` emits 'message' to every listener, the client's `onmessage` included.
  class RecordingWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      this.on('message', (data) => frames.push(JSON.parse(String(data)) as Member['frames'][number]));
    }
  }
  const client = createRoomClient({
    WebSocket: RecordingWebSocket,
    roomId,
    getToken: async () => {
      const response = await fetch(`${stack.banner.tokenApiUrl}/v1/tokens`, {
        method: 'POST',
        headers: { 'x-api-key': stack.banner.devApiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ roomId, userId }),
      });
      if (response.status !== 201) throw new Error(`POST /v1/tokens answered ${response.status}`);
      return (await response.json()) as { token: string; socketUrl: string; expiresAt: string; expiresIn: number };
    },
    ...options,
  });
  const member: Member = { userId, client, messages: [], recoveries: [], opens: 0, frames };
  client.on('message', (message) => member.messages.push(message));
  client.on('recovery', (event) => member.recoveries.push(event));
  client.on('state', (change) => {
    if (change.state === 'open') member.opens += 1;
  });
  await client.connect();
  return member;
}

/** Polls `check` every 50 ms; throws `what` once `timeoutMs` passed without it holding. */
export async function until(check: () => boolean, what: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
