import { withInvocation } from '@roomgate/shared/runtime';
import { makeDisconnectHandler } from '../handlers/disconnect.ts';
import { createBase, socketEventFields } from './base.ts';
import { createPresenceParts } from './presence.ts';

// No Secrets Manager client; the management API and EventBridge clients announce the leave
// (presence frames, `connection.closed`) after the row is deleted.
const { config, logger, metrics } = createBase(process.env);
const { store } = createPresenceParts(config, logger);

export const handler = withInvocation({ logger, metrics }, socketEventFields, makeDisconnectHandler({ store, logger }));
