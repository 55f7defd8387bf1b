import { describe, expect, it } from 'vitest';
import { renderBanner } from '../../src/dev/banner.ts';
import type { DevStackInfo } from '../../src/dev/dev-stack.ts';

const info: DevStackInfo = {
  stage: 'local',
  tableName: 'roomgate-local-connections',
  roomsTableName: 'roomgate-local-rooms',
  dataDir: '/repo/.roomgate',
  urls: {
    tokenApi: 'http://127.0.0.1:4100',
    socket: 'ws://127.0.0.1:4200',
    demo: 'http://127.0.0.1:4300/',
    dynamo: 'http://127.0.0.1:4400',
    secrets: 'http://127.0.0.1:4500',
  },
  devApiKey: 'rgk_example',
  devApiKeyFile: '/repo/.roomgate/dev-api-key-local',
  signingKey: { kid: 'k1', alg: 'RS256', created_at: '2026-01-01T00:00:00Z', versionId: 'v1', published: true },
};

describe('renderBanner', () => {
  it('names every URL, the key, and a curl that can be pasted as is', () => {
    const text = renderBanner(info, { verbose: false, repoRoot: '/repo' });
    expect(text).toContain('roomgate is running locally (stage local, data kept in .roomgate/)');
    expect(text).toMatch(/^ {2}demo page +http:\/\/127\.0\.0\.1:4300\/\?room=lobby /m);
    expect(text).toMatch(/^ {2}dev API key +rgk_example +\(id "dev", every room; kept in \.roomgate\/dev-api-key-local\)$/m);
    expect(text).toContain(
      '  curl -s http://127.0.0.1:4100/v1/tokens -H \'x-api-key: rgk_example\' \\\n    -H \'content-type: application/json\' -d \'{"roomId":"lobby","userId":"alice"}\'',
    );
    expect(text).toContain('Ctrl-C stops everything.');
    expect(text).toMatch(
      /^ {2}DynamoDB +http:\/\/127\.0\.0\.1:4400 +tables roomgate-local-connections, roomgate-local-rooms, roomgate-local-history, roomgate-local-access, roomgate-local-publishes$/m,
    );
  });

  it('says when data is in memory and when logs are streamed', () => {
    const text = renderBanner({ ...info, dataDir: undefined, devApiKeyFile: undefined }, { verbose: true, repoRoot: '/repo' });
    expect(text).toContain('in memory: data is gone after Ctrl-C, --persist keeps it');
    expect(text).toContain('new each run');
    expect(text).toContain('Service logs are streamed.');
  });
  it('says when legacy tokens are on, and only then', () => {
    expect(renderBanner({ ...info, legacyTokens: true }, { verbose: false, repoRoot: '/repo' })).toMatch(
      /legacy tokens ON: .*\n.*roomgate\/local\/signing-key \(docs\/migrating\.md\)/,
    );
    expect(renderBanner(info, { verbose: false, repoRoot: '/repo' })).not.toMatch(/legacy/);
  });
});
