/**
 * better-sqlite3 built for Electron's ABI, apart from node_modules — where the build for
 * Node stays, for the CLI, `floe daemon` and the tests. `npm start` makes it where
 * Electron is installed and `npm run dist` before packaging; the app hands it to
 * better-sqlite3 through its `nativeBinding` option (FLOE_SQLITE_BINDING, read by
 * core/index/sqlite-binding.ts). It is built in a copy of the package: prebuild-install
 * fetches better-sqlite3's own prebuilt binary for this Electron, and where it cannot,
 * node-gyp compiles it against Electron's headers.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { addonAbi, addonProblem, desktopAddons, ELECTRON_SQLITE } from './native-addons.js';

/** A runtime to build for: Electron, or (to check this builder where Electron is absent) Node. */
export interface Runtime {
  name: 'electron' | 'node';
  version: string;
  /** Its NODE_MODULE_VERSION. */
  abi: number;
}

/** What the build was made from, kept beside it: a newer better-sqlite3 needs a new build. */
interface Stamp {
  betterSqlite3: string;
  runtime: string;
  abi: number;
}

const stampPath = (binary: string) => binary.replace(/\.node$/, '.json');

function betterSqlite3(root: string): { dir: string; version: string } {
  const dir = join(root, 'node_modules', 'better-sqlite3');
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    version: string;
  };
  return { dir, version };
}

/** Why the Electron build at `root` cannot serve `runtime`, or null when it can. */
export function electronSqliteProblem(root: string, runtime: Runtime): string | null {
  const addon = desktopAddons(root).find((a) => a.name === 'better-sqlite3')!;
  const problem = addonProblem(addon, runtime.abi);
  if (problem) return problem;
  const stamp = existsSync(stampPath(addon.path))
    ? (JSON.parse(readFileSync(stampPath(addon.path), 'utf8')) as Stamp)
    : null;
  const { version } = betterSqlite3(root);
  if (stamp?.betterSqlite3 !== version)
    return `${addon.path} was built from better-sqlite3 ${stamp?.betterSqlite3 ?? '(unknown)'}, node_modules has ${version}`;
  return null;
}

/**
 * Builds better-sqlite3 for `runtime` into `out` (default: where the app looks) and
 * checks the result registers for the runtime's ABI.
 */
export async function buildSqliteFor(
  root: string,
  runtime: Runtime,
  out = join(root, ELECTRON_SQLITE),
): Promise<void> {
  const source = betterSqlite3(root);
  const stage = join(dirname(out), 'better-sqlite3');
  rmSync(stage, { recursive: true, force: true });
  cpSync(source.dir, stage, {
    recursive: true,
    filter: (path) =>
      path !== join(source.dir, 'build') && path !== join(source.dir, 'node_modules'),
  });
  const resolve = createRequire(join(source.dir, 'package.json')).resolve;
  const target = [
    `--runtime=${runtime.name}`,
    `--target=${runtime.version}`,
    `--arch=${process.arch}`,
  ];
  // npm passes its own nodedir (Node's headers) to scripts; Electron's come from its dist-url.
  const env = { ...process.env };
  if (runtime.name === 'electron') delete env.npm_config_nodedir;
  try {
    const prebuilt = await run(stage, env, resolve('prebuild-install/bin.js'), target);
    if (!prebuilt) {
      const gyp = process.env.npm_config_node_gyp ?? resolve('node-gyp/bin/node-gyp.js');
      const headers =
        runtime.name === 'electron' ? ['--dist-url=https://electronjs.org/headers'] : [];
      if (!(await run(stage, env, gyp, ['rebuild', '--release', ...target, ...headers])))
        throw new Error(`better-sqlite3 did not build for ${runtime.name} ${runtime.version}`);
    }
    const built = join(stage, 'build', 'Release', 'better_sqlite3.node');
    const abi = addonAbi(built);
    if (abi?.kind !== 'abi' || abi.version !== runtime.abi)
      throw new Error(
        `better-sqlite3 was built for ${abi?.kind === 'abi' ? `NODE_MODULE_VERSION ${abi.version}` : 'no known runtime'}, ` +
          `${runtime.name} ${runtime.version} needs ${runtime.abi}`,
      );
    mkdirSync(dirname(out), { recursive: true });
    copyFileSync(built, out);
    const stamp: Stamp = {
      betterSqlite3: source.version,
      runtime: `${runtime.name} ${runtime.version}`,
      abi: runtime.abi,
    };
    await writeFile(stampPath(out), JSON.stringify(stamp, null, 2));
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** Runs a Node script in `cwd`, its output shown; resolves whether it succeeded. */
function run(
  cwd: string,
  env: NodeJS.ProcessEnv,
  script: string,
  args: string[],
): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { cwd, env, stdio: 'inherit' });
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0));
  });
}
