/**
 * The native addons the desktop app loads, and which runtime each binary was built for.
 * An addon written against Node-API (keytar, Floe's RS2 encoder) loads in any runtime, so
 * one build serves the CLI on Node and the app on Electron. better-sqlite3 is built
 * against V8's own API, tied to one runtime's NODE_MODULE_VERSION: Node loads the build in
 * node_modules, and the app a second one made for Electron's ABI (electron-sqlite.ts),
 * kept apart so that neither build replaces the other.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What a `.node` file registers itself as: Node-API, or one runtime's ABI. */
export type AddonAbi = { kind: 'node-api' } | { kind: 'abi'; version: number };

/**
 * Read from the file's exported symbol names (ELF, Mach-O and PE keep them as text): a
 * Node-API addon exports `napi_register_module_v1`; one built against a runtime's own
 * headers exports `node_register_module_v<NODE_MODULE_VERSION>`. Null: neither found.
 */
export function addonAbi(file: string): AddonAbi | null {
  const text = readFileSync(file).toString('latin1');
  if (text.includes('napi_register_module_v1')) return { kind: 'node-api' };
  const match = /node_register_module_v(\d+)/.exec(text);
  return match ? { kind: 'abi', version: Number(match[1]) } : null;
}

export interface DesktopAddon {
  name: 'better-sqlite3' | 'keytar' | 'floe_rs2';
  /** The file the app loads. */
  path: string;
  /** The app runs without it (keytar: the key file; the encoder: walrus-wasm). */
  optional: boolean;
}

/** Where the Electron build of better-sqlite3 lives, beside Floe's own addon. */
export const ELECTRON_SQLITE = join('build', 'electron', 'better_sqlite3.node');

/** Every native addon the desktop app loads from `root` (the app's directory). */
export function desktopAddons(root: string): DesktopAddon[] {
  return [
    { name: 'better-sqlite3', path: join(root, ELECTRON_SQLITE), optional: false },
    {
      name: 'keytar',
      path: join(root, 'node_modules', 'keytar', 'build', 'Release', 'keytar.node'),
      optional: true,
    },
    { name: 'floe_rs2', path: join(root, 'build', 'Release', 'floe_rs2.node'), optional: true },
  ];
}

/** Why `addon` cannot load in a runtime of NODE_MODULE_VERSION `abi`, or null if it can. */
export function addonProblem(addon: DesktopAddon, abi: number): string | null {
  if (!existsSync(addon.path)) return addon.optional ? null : `${addon.path} is not built`;
  const built = addonAbi(addon.path);
  if (built?.kind === 'node-api' || built?.version === abi) return null;
  return built
    ? `${addon.path} is built for NODE_MODULE_VERSION ${built.version}, this runtime needs ${abi}`
    : `${addon.path} registers no Node module`;
}
