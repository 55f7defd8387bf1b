// Cold-start baseline for $default: the three SDK clients a publish/refresh can need, and the
// GetItem every frame starts with (the first event is a ping).
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

const dynamo = new DynamoDBClient(process.env.DYNAMODB_ENDPOINT ? { endpoint: process.env.DYNAMODB_ENDPOINT } : {});
export const secrets = new SecretsManagerClient(process.env.SECRETS_ENDPOINT ? { endpoint: process.env.SECRETS_ENDPOINT } : {});
export const management = new ApiGatewayManagementApiClient({ endpoint: process.env.MANAGEMENT_ENDPOINT });

export const handler = async (event: { requestContext: { connectionId: string } }): Promise<{ statusCode: number; body: string }> => {
  const row = await dynamo.send(
    new GetItemCommand({ TableName: process.env.TABLE_NAME, Key: { connectionId: { S: event.requestContext.connectionId } }, ConsistentRead: true }),
  );
  return { statusCode: 200, body: JSON.stringify({ type: 'pong', found: row.Item !== undefined }) };
};
