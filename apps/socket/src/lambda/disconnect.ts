import { makeDisconnectHandler } from '../handlers/disconnect.ts';
import { createBase } from './base.ts';
import { createPresenceParts } from './presence.ts';

// No Secrets Manager client; the management API and EventBridge clients announce the leave
// (presence frames, `connection.closed`) after the row is deleted.
const { config, logger } = createBase(process.env);
const { store } = createPresenceParts(config, logger);

export const handler = makeDisconnectHandler({ store, logger });
