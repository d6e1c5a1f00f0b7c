/**
 * Loading Floe's one native module, `build/Release/floe_rs2.node` (built by node-gyp from
 * the root binding.gyp): the RS2 encoder here and the chunker in core/repo/native both
 * come from it. Loading is optional — without a compiler at install time, or on a
 * platform the build did not cover, each caller falls back to its JavaScript or wasm path.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ADDON_PATH = join('build', 'Release', 'floe_rs2.node');

/**
 * The package root is the nearest ancestor with build/Release: this file runs both from
 * core/ (tsx) and from dist/core/ (compiled), at different depths.
 */
function findAddon(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, ADDON_PATH);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

export type LoadedAddon = { module: Record<string, unknown> } | { error: string };

let addon: LoadedAddon | undefined;

/** The addon's exports, or why it could not be loaded; loaded once per thread. */
export function loadNativeAddon(): LoadedAddon {
  if (addon) return addon;
  const path = findAddon();
  if (!path) {
    addon = { error: `${ADDON_PATH} is not built (run \`npx node-gyp rebuild\`)` };
  } else {
    try {
      addon = { module: createRequire(import.meta.url)(path) as Record<string, unknown> };
    } catch (error) {
      addon = { error: `${path} does not load: ${(error as Error).message}` };
    }
  }
  return addon;
}

/** What a caller says when the addon lacks its export: built from an older checkout. */
export const OUT_OF_DATE = 'the addon is out of date (run `npx node-gyp rebuild`)';
