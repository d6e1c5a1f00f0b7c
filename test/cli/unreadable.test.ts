import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../core/cli/errors.js';
import { startLocalnetProcess } from '../support/localnet-process.js';

// Root reads everything: as root, Floe runs as an unprivileged user, as a normal user would.
const AS = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : null;

async function chownTree(path: string): Promise<void> {
  if (!AS) return;
  const { execFileSync } = await import('node:child_process');
  execFileSync('chown', ['-R', `${AS.uid}:${AS.gid}`, path]);
}

test('a directory that becomes unreadable keeps its last tree, through a forget, and restores', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-unreadable-'));
  await chmod(dir, 0o755);
  const home = join(dir, 'home');
  const folder = join(dir, 'P');
  await mkdir(join(folder, 'locked'), { recursive: true });
  await mkdir(home);
  await writeFile(join(folder, 'locked', 'secret.txt'), 'only copy of this');
  await writeFile(join(folder, 'open.txt'), 'v1');
  await chownTree(dir);
  if (AS) await chown(dir, AS.uid, AS.gid);
  const net = await startLocalnetProcess(join(home, 'localnet'), [], AS);
  const floe = (...args: string[]) =>
    new Promise<{ code: number; out: string }>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'core/cli/bin.ts', '--data', home, ...args],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: {
            ...process.env,
            HOME: dir,
            FLOE_KEY_PASSPHRASE: 'test passphrase',
            DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(dir, 'no-bus')}`,
            TSX_DISABLE_CACHE: '1',
          },
          ...(AS ?? {}),
        },
      );
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('error', reject);
      child.on('exit', (code) => resolve({ code: code ?? -1, out }));
    });
  const listed = async () => {
    const r = await floe('--json', 'ls', 'latest', '-r');
    assert.equal(r.code, EXIT.ok, r.out);
    return r.out
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { path: string }).path)
      .sort();
  };
  try {
    assert.equal((await floe('init')).code, EXIT.ok);
    assert.equal((await floe('add', folder)).code, EXIT.ok);
    assert.equal((await floe('backup')).code, EXIT.ok);
    assert.deepEqual(await listed(), ['locked', 'locked/secret.txt', 'open.txt']);

    await chmod(join(folder, 'locked'), 0o000);
    await writeFile(join(folder, 'open.txt'), 'v2');
    const second = await floe('backup');
    assert.equal(second.code, EXIT.failure, 'the unreadable directory is reported');
    assert.match(second.out, /unreadable: .*locked/);
    assert.deepEqual(
      await listed(),
      ['locked', 'locked/secret.txt', 'open.txt'],
      'an unreadable directory is not recorded as empty',
    );

    // Only the newest snapshot kept: what the locked directory held must survive it.
    assert.equal((await floe('forget', '--keep-last', '1')).code, EXIT.ok);
    const target = join(dir, 'restored');
    await mkdir(target);
    await chownTree(target);
    const restore = await floe('restore', '--target', target);
    assert.equal(restore.code, EXIT.ok, restore.out);
    assert.equal(await readFile(join(target, 'locked', 'secret.txt'), 'utf8'), 'only copy of this');
    assert.equal(await readFile(join(target, 'open.txt'), 'utf8'), 'v2');
  } finally {
    await chmod(join(folder, 'locked'), 0o755).catch(() => undefined);
    await net.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
