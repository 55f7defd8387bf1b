// node --test: the rule against fixture paths inside this repository (it reads the real
// package.json files, so the fixtures name real workspaces and their declared dependencies).
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RuleTester } from 'eslint';
import { workspaceImports } from './workspace-imports.js';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const repo = (path) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const bench = repo('packages/bench/src/sections/example.ts');
const client = repo('packages/client/src/example.ts');
const options = [{ scope: '@roomgate', rootFiles: [repo('vitest.shared.ts')] }];

new RuleTester({ languageOptions: { ecmaVersion: 2023, sourceType: 'module' } }).run('roomgate/workspace-imports', workspaceImports, {
  valid: [
    { filename: bench, options, code: "import { createConnectionStore } from '@roomgate/shared/store';" },
    { filename: bench, options, code: "import { buildApp } from '@roomgate/token-api/token/app';" },
    { filename: bench, options, code: "import { median } from '../lib/measure.ts';" },
    { filename: bench, options, code: "import Fastify from 'fastify';" },
    { filename: client, options, code: "import { sharedTestConfig } from '../../../vitest.shared.ts';" },
    { filename: client, options, code: "export { RoomClient } from './room-client.ts';" },
  ],
  invalid: [
    // client declares only @roomgate/protocol.
    { filename: client, options, code: "import { toPublicError } from '@roomgate/shared/errors';", errors: [{ messageId: 'undeclared' }] },
    { filename: client, options, code: "export * from '@roomgate/shared/errors';", errors: [{ messageId: 'undeclared' }] },
    { filename: client, options, code: "await import('@roomgate/devstack');", errors: [{ messageId: 'undeclared' }] },
    { filename: bench, options, code: "import { buildApp } from '../../../../apps/token-api/src/token/app.ts';", errors: [{ messageId: 'crossesBoundary' }] },
    { filename: client, options, code: "import { errors } from '../../shared/src/errors.ts';", errors: [{ messageId: 'crossesBoundary' }] },
    { filename: client, options, code: "await import('../../../apps/token-api/src/token/server.ts');", errors: [{ messageId: 'crossesBoundary' }] },
  ],
});
