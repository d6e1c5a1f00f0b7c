/**
 * Builds the UI into one directory the API server can serve as is: the bundle (app.js,
 * one ES module, with its source map) beside the page, the stylesheet and the icon.
 * `npm run build:ui` runs this; the tests call `buildUi` into a temp dir.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));
const STATIC_FILES = ['index.html', 'styles.css', 'icon.svg'];

/** Builds into `outDir` and returns its absolute path. */
export async function buildUi(outDir = 'dist/renderer'): Promise<string> {
  const out = resolve(outDir);
  await mkdir(out, { recursive: true });
  await build({
    entryPoints: [join(HERE, 'src', 'main.ts')],
    outfile: join(out, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    // Electron 40 and Debian's Chromium both run ES2022 natively: nothing to down-level.
    target: 'es2022',
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
  });
  await Promise.all(STATIC_FILES.map((f) => copyFile(join(HERE, f), join(out, f))));
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(`UI built into ${await buildUi()}`);
}
