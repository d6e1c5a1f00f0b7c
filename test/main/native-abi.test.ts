/**
 * Which runtime each native binary was built for, read from the binaries themselves: the
 * CLI and the tests run on Node, the desktop app on Electron, and each must find builds
 * it can load without the other's being rebuilt away.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { electronPackage } from '../../main/setup/electron.js';
import { electronSqliteProblem } from '../../main/setup/electron-sqlite.js';
import { addonAbi, desktopAddons, ELECTRON_SQLITE } from '../../main/setup/native-addons.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const NODE_SQLITE = join(
  ROOT,
  'node_modules',
  'better-sqlite3',
  'build',
  'Release',
  'better_sqlite3.node',
);
const electron = electronPackage(ROOT)!;

test("the better-sqlite3 Node loads is built for Node's ABI, and the app's is another file", () => {
  assert.deepEqual(addonAbi(NODE_SQLITE), {
    kind: 'abi',
    version: Number(process.versions.modules),
  });
  const app = desktopAddons(ROOT).find((a) => a.name === 'better-sqlite3')!;
  assert.notEqual(resolve(app.path), resolve(NODE_SQLITE));
  assert.notEqual(electron.abi, Number(process.versions.modules), "Electron's ABI is not Node's");
});

test("every addon the desktop app loads is Node-API or built for Electron's ABI", (t) => {
  for (const addon of desktopAddons(ROOT)) {
    if (!existsSync(addon.path)) {
      // Built by npm start where Electron is installed; keytar and the encoder are optional.
      t.diagnostic(`${addon.name}: ${addon.path} is not built here`);
      continue;
    }
    const abi = addonAbi(addon.path);
    if (addon.name === 'better-sqlite3')
      assert.deepEqual(abi, { kind: 'abi', version: electron.abi }, addon.path);
    else assert.deepEqual(abi, { kind: 'node-api' }, `${addon.path} loads in Node and Electron`);
  }
  assert.ok(
    existsSync(join(ROOT, 'build', 'Release', 'floe_rs2.node')),
    'the native encoder is built here, so it was checked',
  );
});

test('a build for another ABI or another better-sqlite3 where the app looks is found stale, with the reason', async () => {
  const root = await mkdtemp(join(tmpdir(), 'floe-abi-'));
  try {
    const pkg = join(root, 'node_modules', 'better-sqlite3');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ version: '12.0.0' }));
    const runtime = { name: 'electron' as const, version: electron.version, abi: electron.abi };
    assert.match(electronSqliteProblem(root, runtime)!, /is not built/);

    // Node's build copied to where the app looks: the wrong ABI, said as numbers.
    const binary = join(root, ELECTRON_SQLITE);
    mkdirSync(join(root, 'build', 'electron'), { recursive: true });
    copyFileSync(NODE_SQLITE, binary);
    assert.equal(
      electronSqliteProblem(root, runtime),
      `${binary} is built for NODE_MODULE_VERSION ${process.versions.modules}, this runtime needs ${electron.abi}`,
    );

    // The right ABI, but made from another better-sqlite3 than node_modules holds.
    const node = {
      name: 'node' as const,
      version: process.version,
      abi: Number(process.versions.modules),
    };
    writeFileSync(
      binary.replace(/\.node$/, '.json'),
      JSON.stringify({
        betterSqlite3: '11.0.0',
        runtime: `node ${process.version}`,
        abi: node.abi,
      }),
    );
    assert.match(
      electronSqliteProblem(root, node)!,
      /built from better-sqlite3 11\.0\.0, node_modules has 12\.0\.0/,
    );
    writeFileSync(
      binary.replace(/\.node$/, '.json'),
      JSON.stringify({
        betterSqlite3: '12.0.0',
        runtime: `node ${process.version}`,
        abi: node.abi,
      }),
    );
    assert.equal(electronSqliteProblem(root, node), null);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test(
  'the engine opens its index with the better-sqlite3 binary FLOE_SQLITE_BINDING names',
  { skip: process.platform !== 'linux' && 'reads /proc/self/maps' },
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'floe-binding-'));
    try {
      // A second build, apart from node_modules (here a copy: Node is the only runtime here).
      const apart = join(dir, 'apart', 'better_sqlite3.node');
      mkdirSync(join(dir, 'apart'));
      copyFileSync(NODE_SQLITE, apart);
      const open = (env: NodeJS.ProcessEnv) => {
        const child = spawnSync(
          process.execPath,
          ['--import', 'tsx', 'test/support/sqlite-binding-child.ts', join(dir, 'index.db')],
          { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 },
        );
        assert.equal(child.status, 0, child.stderr);
        return JSON.parse(child.stdout.trim().split('\n').pop()!) as string[];
      };
      assert.deepEqual(open({ FLOE_SQLITE_BINDING: apart }), [apart]);
      const env = { ...process.env };
      delete env.FLOE_SQLITE_BINDING;
      assert.deepEqual(
        open(env).map((p) => realpathSync(p)),
        [realpathSync(NODE_SQLITE)],
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);
