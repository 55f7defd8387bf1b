import { relative } from 'node:path';
import type { DevStackInfo } from './dev-stack.ts';
import { accessTableNameOf, historyTableNameOf, publishesTableNameOf } from './offline-specs.ts';

/** What `pnpm dev` prints once every part answers: where things are and the first two things to try. */
export function renderBanner(info: DevStackInfo, options: { verbose: boolean; repoRoot: string }): string {
  const where = (path: string) => {
    const rel = relative(options.repoRoot, path);
    return rel.startsWith('..') ? path : rel;
  };
  const data = info.dataDir ? `data kept in ${where(info.dataDir)}/` : 'in memory: data is gone after Ctrl-C, --persist keeps it';
  const room = 'lobby';
  const demo = `${info.urls.demo}?room=${room}`;
  const body = JSON.stringify({ roomId: room, userId: 'alice' });
  const keyNote = info.devApiKeyFile ? `id "dev", every room; kept in ${where(info.devApiKeyFile)}` : 'id "dev", every room; new each run';
  return [
    '',
    `roomgate is running locally (stage ${info.stage}, ${data})`,
    '',
    `  demo page     ${demo}    open it in two windows and chat`,
    `  token API     ${info.urls.tokenApi}    POST /v1/tokens, /v1/rooms/{roomId}/… (Rooms API), GET /.well-known/jwks.json`,
    `  socket        ${info.urls.socket}`,
    `  DynamoDB      ${info.urls.dynamo}    tables ${info.tableName}, ${info.roomsTableName}, ${historyTableNameOf(info.stage)}, ${accessTableNameOf(info.stage)}, ${publishesTableNameOf(info.stage)}`,
    `  Secrets Mgr   ${info.urls.secrets}    roomgate/${info.stage}/{signing-key,public-keys,api-keys}`,
    '',
    `  dev API key   ${info.devApiKey}    (${keyNote})`,
    '',
    ...(info.legacyTokens
      ? [
          `  legacy tokens ON: the socket also admits RS256 tokens without kid/iss/aud, signed with the key`,
          `                   in roomgate/${info.stage}/signing-key (docs/migrating.md)`,
          '',
        ]
      : []),
    'Get a token the way a backend does:',
    '',
    `  curl -s ${info.urls.tokenApi}/v1/tokens -H 'x-api-key: ${info.devApiKey}' \\`,
    `    -H 'content-type: application/json' -d '${body}'`,
    '',
    `${options.verbose ? 'Service logs are streamed.' : 'Service logs: warnings and errors only (--verbose for all).'} Ctrl-C stops everything.`,
    '',
  ].join('\n');
}
