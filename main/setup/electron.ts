/**
 * Electron as installed in this checkout: its package (version, and the Node ABI its
 * runtime loads addons for), whether its binary was downloaded, and fetching it with
 * Electron's own installer. npm does not run that installer (package.json's allowScripts
 * turns it off) because a failed download would fail the whole install; Floe's
 * postinstall runs it instead and carries on without the binary, and `npm start` then
 * opens Floe in the browser.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export interface ElectronPackage {
  dir: string;
  version: string;
  /** NODE_MODULE_VERSION of Electron's runtime: the ABI non-Node-API addons must be built for. */
  abi: number;
}

export function electronPackage(root: string): ElectronPackage | null {
  const dir = join(root, 'node_modules', 'electron');
  try {
    const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      version: string;
    };
    const abi = Number(readFileSync(join(dir, 'abi_version'), 'utf8').trim());
    return { dir, version, abi };
  } catch {
    return null;
  }
}

/** Electron's executable, if its binary is installed (the package's main names it). */
export function electronBinary(pkg: ElectronPackage): string | null {
  try {
    // index.js throws "Electron failed to install correctly" when the binary is missing.
    const path = createRequire(join(pkg.dir, 'package.json'))('./index.js') as string;
    return existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

/** Runs Electron's installer; resolves with why the binary is still missing, or null. */
export async function fetchElectron(pkg: ElectronPackage): Promise<string | null> {
  let stderr = '';
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [join(pkg.dir, 'install.js')], {
      cwd: pkg.dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', (error) => ((stderr += error.message), resolve(null)));
    child.on('close', resolve);
  });
  if (electronBinary(pkg)) return null;
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return 'ELECTRON_SKIP_BINARY_DOWNLOAD is set';
  // The installer prints a stack; its first line says what failed ("RequestError: …").
  const first = stderr.trim().split('\n')[0]?.trim();
  return first || `its installer exited with ${code}`;
}
