import { fileURLToPath } from 'node:url';
import { writePage } from '../page-bundle.ts';

// `pnpm --filter @roomgate/demo build`: the page as static files, for hosting it anywhere.
const outdir = fileURLToPath(new URL('../../dist/', import.meta.url));
const written = await writePage(outdir);
process.stdout.write(`${written.map((file) => `wrote ${file}`).join('\n')}\n`);
