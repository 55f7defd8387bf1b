// Cold-start baseline for the Rooms API function: the same handler shape (ESM, top-level client,
// one Query on the connections table's byRoom index for GET /v1/rooms/{roomId}/connections) with
// nothing but the SDK client it needs.
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';

const endpoint = process.env.DYNAMODB_ENDPOINT;
const client = new DynamoDBClient(endpoint ? { endpoint } : {});

export const handler = async (): Promise<{ statusCode: number; headers: Record<string, string>; body: string }> => {
  const page = await client.send(
    new QueryCommand({
      TableName: process.env.CONNECTIONS_TABLE_NAME,
      IndexName: 'byRoom',
      KeyConditionExpression: 'roomId = :room',
      ExpressionAttributeValues: { ':room': { S: 'chat-lobby-42' } },
      Limit: 50,
    }),
  );
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ count: page.Count ?? 0 }) };
};
