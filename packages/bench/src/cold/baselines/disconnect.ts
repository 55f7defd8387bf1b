// Cold-start baseline for $disconnect: one DeleteItem; only the DynamoDB client.
import { DeleteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';

const dynamo = new DynamoDBClient(process.env.DYNAMODB_ENDPOINT ? { endpoint: process.env.DYNAMODB_ENDPOINT } : {});

export const handler = async (event: { requestContext: { connectionId: string } }): Promise<{ statusCode: number }> => {
  await dynamo.send(new DeleteItemCommand({ TableName: process.env.TABLE_NAME, Key: { connectionId: { S: event.requestContext.connectionId } } }));
  return { statusCode: 200 };
};
