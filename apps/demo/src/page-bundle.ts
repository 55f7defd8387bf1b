import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { DemoError } from './errors.ts';

export interface PageAsset {
  contentType: string;
  body: Uint8Array;
}

/** The page's files by URL path: `/index.html`, `/app.js`, `/styles.css`. */
export type PageAssets = ReadonlyMap<string, PageAsset>;

const PAGE_DIR = fileURLToPath(new URL('./page/', import.meta.url));

/**
 * Bundles the page in memory (esbuild, ~100 ms). The server does this at start, so `pnpm dev` on a
 * fresh clone needs no build step and never serves a stale bundle; `pnpm build` writes the same
 * files to `dist/` for anyone who wants to host them statically.
 */
export async function bundlePage(options: { minify?: boolean } = {}): Promise<PageAssets> {
  let script: Uint8Array;
  try {
    const result = await build({
      entryPoints: [join(PAGE_DIR, 'main.ts')],
      outfile: 'app.js',
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: ['es2022'],
      minify: options.minify ?? false,
      sourcemap: options.minify ? false : 'inline',
      write: false,
      logLevel: 'silent',
    });
    const output = result.outputFiles[0];
    if (!output) throw new Error('esbuild produced no output');
    script = output.contents;
  } catch (error) {
    throw new DemoError('ERR_PAGE_BUILD_FAILED', `could not bundle the demo page: ${(error as Error).message}`, { cause: error });
  }
  const [html, css] = await Promise.all([readFile(join(PAGE_DIR, 'index.html')), readFile(join(PAGE_DIR, 'styles.css'))]);
  return new Map([
    ['/index.html', { contentType: 'text/html; charset=utf-8', body: html }],
    ['/app.js', { contentType: 'text/javascript; charset=utf-8', body: script }],
    ['/styles.css', { contentType: 'text/css; charset=utf-8', body: css }],
  ]);
}

export async function writePage(outdir: string): Promise<string[]> {
  const assets = await bundlePage({ minify: true });
  await mkdir(outdir, { recursive: true });
  const written: string[] = [];
  for (const [path, asset] of assets) {
    const file = join(outdir, path.slice(1));
    await writeFile(file, asset.body);
    written.push(file);
  }
  return written;
}
