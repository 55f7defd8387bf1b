import type { FastifyInstance } from 'fastify';
import { RoomgateError } from '@roomgate/protocol/errors';
import { textNestsDeeperThan } from '@roomgate/protocol/json-text';
import { MAX_FRAME_DEPTH } from '@roomgate/protocol/limits';

/**
 * Replaces Fastify's `application/json` parser with one that adds two refusals to the default
 * (secure-json-parse, `__proto__` and `constructor.prototype` refused):
 * - a body nesting deeper than MAX_FRAME_DEPTH is a 400 `ERR_VALIDATION` before it is parsed, so
 *   no later step (schema validation, JSON.stringify of a message frame) recurses through it;
 * - a body refused for a `__proto__` / `constructor.prototype` member is told so (400
 *   `ERR_VALIDATION`), instead of Fastify's "not valid JSON": it is valid JSON.
 */
export function useJsonBodyParser(app: FastifyInstance): void {
  const parseDefault = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (textNestsDeeperThan(text, MAX_FRAME_DEPTH)) {
      done(new RoomgateError('ERR_VALIDATION', `request body nests deeper than ${MAX_FRAME_DEPTH} levels`), undefined);
      return;
    }
    parseDefault(request, text, (error, value) => {
      if (error !== null && isPlainJson(text)) {
        done(
          new RoomgateError('ERR_VALIDATION', 'request body has a "__proto__" or "constructor.prototype" member, which is refused (prototype pollution)'),
          undefined,
        );
        return;
      }
      done(error, value);
    });
  });
}

/** True when JSON.parse accepts the text: the default parser then refused it for a poisoning key. */
function isPlainJson(text: string): boolean {
  if (text.length === 0) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
