import { makeDisconnectHandler } from '../handlers/disconnect.ts';
import { containerRuntime } from './runtime.ts';

const { store, logger } = containerRuntime();

export const handler = makeDisconnectHandler({ store, logger });
