import { describe, expect, it } from 'vitest';
import { importClosure } from '../../helpers/import-closure.ts';

/** What only the token function may carry: its own tree, the signer and the signing key's plumbing. */
const TOKEN_ONLY = [/^src\/token\//, /packages\/shared\/src\/(.*\/)?(signer|key-source|keys)\.ts$/, /\/jose[@/]/];

describe('the Rooms function (src/rooms/lambda.ts)', () => {
  it('bundles nothing of the token function: no token config or runtime, no signer, no key source, no jose', async () => {
    const closure = await importClosure('src/rooms/lambda.ts');
    // The walk itself works: the entry's own app and the shared http layer are in it.
    expect(closure).toEqual(expect.arrayContaining(['src/rooms/app.ts', 'src/http/authentication.ts']));
    expect(closure.filter((file) => TOKEN_ONLY.some((pattern) => pattern.test(file)))).toEqual([]);
  });
});
