// Cold-start baseline for $connect: read the public keys, write the row; only the two SDK clients.
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

const dynamo = new DynamoDBClient(process.env.DYNAMODB_ENDPOINT ? { endpoint: process.env.DYNAMODB_ENDPOINT } : {});
const secrets = new SecretsManagerClient(process.env.SECRETS_ENDPOINT ? { endpoint: process.env.SECRETS_ENDPOINT } : {});

export const handler = async (event: { requestContext: { connectionId: string } }): Promise<{ statusCode: number }> => {
  await secrets.send(new GetSecretValueCommand({ SecretId: process.env.PUBLIC_KEYS_SECRET_ID }));
  await dynamo.send(
    new PutItemCommand({ TableName: process.env.TABLE_NAME, Item: { connectionId: { S: event.requestContext.connectionId }, roomId: { S: 'baseline' } } }),
  );
  return { statusCode: 200 };
};
