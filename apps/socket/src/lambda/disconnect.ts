import { makeDisconnectHandler } from '../handlers/disconnect.ts';
import { createBase } from './base.ts';
import { createStore } from './store.ts';

// Only the DynamoDB client: this bundle never loads the Secrets Manager or management API SDKs.
const { config, logger } = createBase(process.env);

export const handler = makeDisconnectHandler({ store: createStore(config), logger });
