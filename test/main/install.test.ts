/**
 * `npm install` on a machine that cannot download Electron's binary or build keytar: each
 * case installs Floe's own declaration of that package (the section, version and
 * allowScripts entry from package.json) into a scratch project with the real npm, where
 * the download or the build is made to fail, and then runs Floe's postinstall there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
const FLOE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<
  string,
  Record<string, unknown> | undefined
>;
const SECTIONS = ['dependencies', 'optionalDependencies', 'devDependencies'] as const;
const SLOW = { timeout: 240_000 };

/** A project holding only `name`, declared as Floe declares it. */
function projectWith(name: string): Record<string, unknown> {
  const section = SECTIONS.find((s) => FLOE[s]?.[name] !== undefined);
  assert.ok(section, `package.json declares ${name}`);
  return {
    name: 'floe-install-probe',
    version: '1.0.0',
    private: true,
    [section]: { [name]: FLOE[section]![name] },
    ...(FLOE.allowScripts ? { allowScripts: FLOE.allowScripts } : {}),
  };
}

/** No download can succeed and no prebuilt binary is tried: the machine this test is about. */
function offlineEnv(dir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Port 9 (discard) on loopback refuses at once: Electron's download fails as offline.
    ELECTRON_MIRROR: 'http://127.0.0.1:9/',
    electron_config_cache: join(dir, 'electron-cache'),
    // keytar goes straight to its source build, which cannot find libsecret's headers:
    // PKG_CONFIG_LIBDIR replaces pkg-config's search path (PKG_CONFIG_PATH only adds to it).
    npm_config_build_from_source: 'true',
    PKG_CONFIG_LIBDIR: join(dir, 'no-pkgconfig'),
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  delete env.ELECTRON_SKIP_BINARY_DOWNLOAD;
  return env;
}

function npm(dir: string, ...args: string[]) {
  return spawnSync('npm', [...args, '--prefer-offline'], {
    cwd: dir,
    env: offlineEnv(dir),
    encoding: 'utf8',
    timeout: 200_000,
  });
}

test(
  'npm install and npm ci succeed where keytar cannot build, and leave it out',
  SLOW,
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'floe-install-keytar-'));
    try {
      await writeFile(join(dir, 'package.json'), JSON.stringify(projectWith('keytar')));
      const installed = npm(dir, 'install');
      assert.equal(installed.status, 0, installed.stderr);
      assert.equal(existsSync(join(dir, 'node_modules', 'keytar')), false);
      await rm(join(dir, 'node_modules'), { recursive: true });
      const ci = npm(dir, 'ci');
      assert.equal(ci.status, 0, ci.stderr);
      assert.equal(existsSync(join(dir, 'node_modules', 'keytar')), false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);

test(
  "npm install succeeds where Electron's binary cannot be downloaded, keeping its types, and Floe's postinstall says in one line what was left out",
  SLOW,
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'floe-install-electron-'));
    try {
      await writeFile(join(dir, 'package.json'), JSON.stringify(projectWith('electron')));
      const installed = npm(dir, 'install');
      assert.equal(installed.status, 0, installed.stderr);
      assert.ok(existsSync(join(dir, 'node_modules', 'electron', 'electron.d.ts')));

      // Floe's postinstall, run where npm runs it (the project root).
      const post = spawnSync(
        process.execPath,
        ['--import', import.meta.resolve('tsx'), join(ROOT, 'main', 'setup', 'postinstall.ts')],
        { cwd: dir, env: offlineEnv(dir), encoding: 'utf8', timeout: 60_000 },
      );
      assert.equal(post.status, 0, post.stderr);
      const lines = post.stdout.trim().split('\n');
      assert.equal(lines.length, 1, post.stdout);
      assert.match(
        lines[0]!,
        /^floe: installed without Electron's binary \(.+\) — npm start opens Floe in your browser/,
      );
      assert.match(lines[0]!, /without keytar .*keys\.json/);
      assert.match(lines[0]!, /without the native encoder .*walrus-wasm/);
      assert.equal(existsSync(join(dir, 'node_modules', 'electron', 'dist')), false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);
